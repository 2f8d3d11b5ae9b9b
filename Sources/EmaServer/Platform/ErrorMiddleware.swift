import Vapor

/// Turns every error into the answer its caller understands: JSON `{"error", "code", "reason"}`
/// for `/api/*` and `/webhooks/*`, a Spanish HTML page for people. Unexpected errors are logged
/// in full and answered with a generic message (no internals leak).
struct ErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await Self.response(for: error, to: request)
        }
    }

    struct Body: Content {
        let error: Bool
        let code: String
        let reason: String
    }

    static func response(for error: any Error, to request: Request) async -> Response {
        let (status, code, reason, headers) = describe(error)
        if code == PlatformError.databaseUnavailable.code {
            request.logger.warning("La base de datos no responde; se contesta 503", metadata: ["error": .string(String(describing: error).prefix(300).description)])
        } else if error is any EmaError, status == .serviceUnavailable {
            // A capability this installation does not offer (no gateway, no coupon rules): known, not a fault.
            request.logger.notice("Servicio no disponible", metadata: ["code": .string(code)])
        } else if status.code >= 500 {
            request.logger.error("Error no esperado", metadata: ["code": .string(code), "error": .string(String(reflecting: error))])
        }
        let response: Response
        if wantsJSON(request) {
            response = Response(status: status, headers: headers)
            try? response.content.encode(Body(error: true, code: code, reason: reason))
        } else {
            response = await htmlPage(status: status, reason: reason, request: request)
            response.headers.add(contentsOf: headers)
        }
        return response
    }

    static func wantsJSON(_ request: Request) -> Bool {
        let path = request.url.path
        if path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || path == "/health" || path == "/metrics" { return true }
        let accept = request.headers.first(name: .accept) ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }

    private static func describe(_ error: any Error) -> (HTTPResponseStatus, String, String, HTTPHeaders) {
        switch error {
        case let error as any EmaError:
            return (error.status, error.code, error.reason, error.headers)
        case let error as any AbortError:
            let status = error.status
            return (status, code(for: status), spanishReason(for: status, given: error.reason), error.headers)
        case is DecodingError:
            return (.badRequest, "invalid_body", "El cuerpo de la solicitud no tiene la forma esperada.", [:])
        case let error where DatabaseOutage.matches(error):
            let outage = PlatformError.databaseUnavailable
            return (outage.status, outage.code, outage.reason, ["Retry-After": "5"])
        default:
            return (.internalServerError, "internal_error", spanishReason(for: .internalServerError, given: ""), [:])
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "rate_limited"
        case 503: "service_unavailable"
        default: status.code >= 500 ? "internal_error" : "http_\(status.code)"
        }
    }

    /// Vapor's own reasons are English; people get Spanish.
    static func spanishReason(for status: HTTPResponseStatus, given: String) -> String {
        switch status.code {
        case 400: "La solicitud no es válida."
        case 401: "Necesitas iniciar sesión para ver esto."
        case 403: "No tienes permiso para ver esto."
        case 404: "No encontramos lo que buscas. Revisa la dirección."
        case 405: "Ese método no está permitido aquí."
        case 413: "El contenido enviado es demasiado grande."
        case 415: "El tipo de contenido enviado no es compatible."
        case 429: "Demasiadas solicitudes. Espera un momento e intenta de nuevo."
        case 500...: "Tuvimos un problema de nuestro lado. Intenta de nuevo en unos minutos."
        default: given.isEmpty ? "No pudimos atender la solicitud." : given
        }
    }

    private static func htmlPage(status: HTTPResponseStatus, reason: String, request: Request) async -> Response {
        struct ErrorPage: Encodable {
            let title: String
            let status: Int
            let reason: String
            let utility: UtilityProfile?
        }
        let page = ErrorPage(title: "Algo no salió bien", status: Int(status.code), reason: reason, utility: request.application.utilityProfile)
        if let view = try? await request.view.render("error", page), let response = try? await view.encodeResponse(for: request) {
            response.status = status
            return response
        }
        let response = Response(status: status)
        response.headers.contentType = .plainText
        response.body = .init(string: reason)
        return response
    }
}
