import EmaCore
import Foundation
import Vapor

/// The signed-in staff member of a request, once `StaffAuthMiddleware` found a valid session.
struct StaffContext: Sendable {
    let accountID: UUID
    let email: String
    let name: String
    let role: StaffAccount.Role
    let csrfToken: String
    let sessionID: UUID
}

extension Request {
    private struct StaffKey: StorageKey { typealias Value = StaffContext }

    var staff: StaffContext? {
        get { storage[StaffKey.self] }
        set { storage[StaffKey.self] = newValue }
    }

    /// The session cookie's name: `__Host-` only over HTTPS (browsers refuse it otherwise).
    static func staffCookieName(_ application: Application) -> String {
        isHTTPS(application) ? "__Host-ema_staff" : "ema_staff"
    }

    /// Sets the session cookie on a response (an empty token clears it, with the same
    /// attributes: a `__Host-` cookie is only replaced by a Secure one).
    func setStaffCookie(_ token: String, on response: Response) {
        response.cookies[Self.staffCookieName(application)] = HTTPCookies.Value(
            string: token, expires: token.isEmpty ? Date(timeIntervalSince1970: 0) : nil,
            maxAge: token.isEmpty ? 0 : Int(StaffService.absoluteLifetime), path: "/",
            isSecure: Self.isHTTPS(application), isHTTPOnly: true, sameSite: .lax
        )
    }

    static func isHTTPS(_ application: Application) -> Bool {
        application.emaConfig.publicURL.hasPrefix("https://")
    }
}

/// Requires a signed-in staff member with one of `roles`. Pages without a session go to the
/// sign-in page (coming back afterwards); a wrong role gets a 403 page. Every POST must carry
/// the session's CSRF token and come from this site.
struct StaffAuthMiddleware: AsyncMiddleware {
    let roles: Set<StaffAccount.Role>

    init(_ roles: StaffAccount.Role...) {
        self.roles = roles.isEmpty ? Set(StaffAccount.Role.allCases) : Set(roles)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let name = Request.staffCookieName(request.application)
        guard let token = request.cookies[name]?.string,
              let (session, account) = try await request.application.staffService().session(token: token)
        else {
            let wanted = request.method == .GET ? request.url.path : "/backoffice"
            return request.redirect(to: "/backoffice/ingresar?siguiente=\(wanted.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        guard roles.contains(account.roleValue) else {
            throw StaffError.roleNotAllowed
        }
        request.staff = StaffContext(
            accountID: try account.requireID(), email: account.email, name: account.name, role: account.roleValue,
            csrfToken: session.csrfToken, sessionID: try session.requireID()
        )
        if request.method == .POST { try Self.checkForgery(request, expected: session.csrfToken) }
        let response = try await next.respond(to: request)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    struct CSRFField: Decodable { let csrf: String? }

    /// The form's token must be the session's (constant time), and the form must come from
    /// this site.
    static func checkForgery(_ request: Request, expected: String) throws {
        try request.refuseFormFromAnotherSite()
        let given = (try? request.content.decode(CSRFField.self))?.csrf ?? ""
        guard ConstantTime.equals(Array(Hex.sha256(given).utf8), Array(Hex.sha256(expected).utf8)) else {
            throw StaffError.formExpired
        }
    }
}

/// Errors of the back office, in words staff understand.
enum StaffError: EmaError {
    case roleNotAllowed
    case formExpired

    var status: HTTPResponseStatus { .forbidden }

    var code: String {
        switch self {
        case .roleNotAllowed: "role_not_allowed"
        case .formExpired: "form_expired"
        }
    }

    var reason: String {
        switch self {
        case .roleNotAllowed: "Tu rol no tiene acceso a esta sección. Si la necesitas para tu trabajo, pídesela a un administrador."
        case .formExpired: "El formulario venció o no es válido. Recarga la página e inténtalo de nuevo."
        }
    }
}
