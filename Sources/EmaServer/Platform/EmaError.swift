import EmaCore
import Vapor

/// An error a person or a machine can act on: an HTTP status, a reason in Spanish and a stable
/// code (`contract_not_found`) that clients may rely on. Each capability has its own enum.
public protocol EmaError: AbortError {
    var code: String { get }
}

/// Errors of the platform itself: authentication, limits, unknown routes.
public enum PlatformError: EmaError {
    case adminAPIClosed
    case missingToken
    case invalidToken
    case rateLimited(retryAfterSeconds: Int)
    case databaseUnavailable
    case formFromAnotherSite
    /// The path exists, with other methods (listed in `Allow`).
    case methodNotAllowed([String])

    public var status: HTTPResponseStatus {
        switch self {
        case .adminAPIClosed, .formFromAnotherSite: .forbidden
        case .missingToken, .invalidToken: .unauthorized
        case .rateLimited: .tooManyRequests
        case .databaseUnavailable: .serviceUnavailable
        case .methodNotAllowed: .methodNotAllowed
        }
    }

    public var code: String {
        switch self {
        case .adminAPIClosed: "admin_api_closed"
        case .missingToken: "missing_token"
        case .invalidToken: "invalid_token"
        case .rateLimited: "rate_limited"
        case .databaseUnavailable: "database_unavailable"
        case .formFromAnotherSite: "form_from_another_site"
        case .methodNotAllowed: "method_not_allowed"
        }
    }

    public var reason: String {
        switch self {
        case .adminAPIClosed: "La API de administración está cerrada: defina EMA_ADMIN_TOKEN para abrirla."
        case .missingToken: "Falta el encabezado Authorization: Bearer <token>."
        case .invalidToken: "El token no es válido."
        case .rateLimited(let seconds): "Demasiados intentos seguidos. Por seguridad, espera \(SpanishDuration.wait(seconds: seconds)) y vuelve a intentarlo."
        case .databaseUnavailable: "Tenemos una falla momentánea y no pudimos atenderte. Intenta de nuevo en unos segundos."
        case .formFromAnotherSite: "Este formulario llegó desde otro sitio, así que no lo procesamos. Abre la página de nuevo desde nuestra dirección e inténtalo ahí."
        case .methodNotAllowed(let methods): "Esta dirección no acepta ese método; acepta \(methods.joined(separator: ", "))."
        }
    }

    public var headers: HTTPHeaders {
        switch self {
        case .missingToken, .invalidToken: ["WWW-Authenticate": "Bearer"]
        case .rateLimited(let seconds): ["Retry-After": String(seconds)]
        case .methodNotAllowed(let methods): ["Allow": methods.joined(separator: ", ")]
        default: [:]
        }
    }
}
