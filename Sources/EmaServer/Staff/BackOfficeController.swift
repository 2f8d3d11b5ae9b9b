import EmaCore
import Fluent
import Foundation
import Vapor

/// The back office's door and home: sign-in, sign-out, and the start page.
struct BackOfficeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let office = routes.grouped("backoffice")
        office.get("ingresar", use: signInPage)
        office.post("ingresar", use: signIn)
        let staff = office.grouped(StaffAuthMiddleware())
        staff.get(use: home)
        staff.post("salir", use: signOut)
    }

    /// What every back-office page gets: who is signed in and the form token.
    struct Frame: Encodable {
        let name: String
        let role: String
        let csrf: String
        let canDispatch: Bool
        let isCare: Bool
        let isTransparency: Bool
        let isAdmin: Bool

        init(_ staff: StaffContext) {
            name = staff.name
            role = staff.role.title
            csrf = staff.csrfToken
            canDispatch = staff.role == .supervisor || staff.role == .administrador
            isCare = StaffAccount.Role.care.contains(staff.role)
            isTransparency = staff.role == .transparencia
            isAdmin = staff.role == .administrador
        }
    }

    struct SignInPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let next: String
        let email: String
        let message: String?
    }

    /// Only a path inside the back office (never another site).
    static func safeNext(_ value: String?) -> String {
        guard let value, value.hasPrefix("/backoffice"), !value.hasPrefix("//"), !value.contains("\\"), !value.contains("://") else { return "/backoffice" }
        return value
    }

    @Sendable
    func signInPage(request: Request) async throws -> View {
        try await request.view.render("backoffice/signin", SignInPage(
            title: "Ingreso del personal", utility: request.application.utilityProfile,
            next: Self.safeNext(request.query[String.self, at: "siguiente"]), email: "", message: nil
        ))
    }

    struct SignInForm: Content {
        let correo: String?
        let clave: String?
        let siguiente: String?
    }

    @Sendable
    func signIn(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(SignInForm.self)) ?? SignInForm(correo: nil, clave: nil, siguiente: nil)
        let next = Self.safeNext(form.siguiente)
        let service = request.application.staffService()
        // A new session each sign-in: whatever this browser held before ends now.
        if let old = request.cookies[Request.staffCookieName(request.application)]?.string {
            try await StaffSession.query(on: request.db).filter(\.$tokenHash == Hex.sha256(old)).delete()
        }
        let outcome = try await service.signIn(email: form.correo ?? "", password: form.clave ?? "", client: request.clientAddress)
        func again(_ message: String, _ status: HTTPResponseStatus) async throws -> Response {
            try await request.view.render("backoffice/signin", SignInPage(
                title: "Ingreso del personal", utility: request.application.utilityProfile, next: next,
                email: String((form.correo ?? "").prefix(120)), message: message
            )).encodeResponse(status: status, for: request)
        }
        switch outcome {
        case .refused:
            return try await again("El correo o la contraseña no coinciden. Revísalos e inténtalo de nuevo.", .unauthorized)
        case .limited(let seconds):
            return try await again("Por seguridad, espera \(SpanishDuration.wait(seconds: seconds)) antes de intentarlo de nuevo.", .tooManyRequests)
        case .signedIn(let token, _):
            let response = request.redirect(to: next, redirectType: .normal)
            request.setStaffCookie(token, on: response)
            return response
        }
    }

    @Sendable
    func signOut(request: Request) async throws -> Response {
        guard let staff = request.staff,
              let session = try await StaffSession.find(staff.sessionID, on: request.db),
              let account = try await StaffAccount.find(staff.accountID, on: request.db)
        else { return request.redirect(to: "/backoffice/ingresar") }
        try await request.application.staffService().signOut(session, account: account)
        let response = request.redirect(to: "/backoffice/ingresar", redirectType: .normal)
        request.setStaffCookie("", on: response)
        return response
    }

    struct HomePage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let frame: Frame
    }

    @Sendable
    func home(request: Request) async throws -> View {
        guard let staff = request.staff else { throw Abort(.unauthorized) }
        return try await request.view.render("backoffice/home", HomePage(title: "Back office", utility: request.application.utilityProfile, frame: Frame(staff)))
    }
}
