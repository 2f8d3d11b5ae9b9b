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
        application.emaConfig.publicURL.hasPrefix("https://") ? "__Host-ema_staff" : "ema_staff"
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
              let (session, account) = try await StaffService(application: request.application).session(token: token)
        else {
            let wanted = request.method == .GET ? request.url.path : "/backoffice"
            return request.redirect(to: "/backoffice/ingresar?siguiente=\(wanted.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        guard roles.contains(account.roleValue) else {
            throw Abort(.forbidden, reason: "Tu rol no tiene acceso a esta sección.")
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

    /// The form's token must be the session's (constant time), and the browser must not say
    /// the form came from another site.
    static func checkForgery(_ request: Request, expected: String) throws {
        try checkSameSite(request)
        let given = (try? request.content.decode(CSRFField.self))?.csrf ?? ""
        guard ConstantTime.equals(Array(Hex.sha256(given).utf8), Array(Hex.sha256(expected).utf8)) else {
            throw Abort(.forbidden, reason: "El formulario venció o no es válido. Recarga la página e inténtalo de nuevo.")
        }
    }

    /// Fetch Metadata, then the Origin: a form posted from another site is refused (also the
    /// sign-in form, which has no session token yet).
    static func checkSameSite(_ request: Request) throws {
        if let site = request.headers.first(name: "Sec-Fetch-Site"), site == "cross-site" {
            throw Abort(.forbidden, reason: "Formulario enviado desde otro sitio.")
        }
        // An Origin, when the browser sends one, must be this site: the public URL's, or the
        // host the request came to (behind a proxy the scheme may differ).
        if let origin = request.headers.first(name: .origin), origin != "null" {
            let publicOrigin = URLComponents(string: request.application.emaConfig.publicURL).map { url in
                "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
            }
            let host = request.headers.first(name: .host) ?? "-"
            guard origin == publicOrigin || origin.hasSuffix("://" + host) else {
                throw Abort(.forbidden, reason: "Formulario enviado desde otro sitio.")
            }
        }
    }
}
