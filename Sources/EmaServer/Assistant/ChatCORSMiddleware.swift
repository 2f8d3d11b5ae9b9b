import Vapor

/// The chat widget runs on the utility's other sites and calls `/api/v1/chat/*` from there, so
/// the browser asks first (a CORS preflight, `OPTIONS`) and then reads the answer only if it
/// names the page's origin. This answers the preflight for any chat path and adds the header to
/// every chat answer, errors included. Which sites may embed the widget: `EMA_CHAT_ORIGINS`
/// (comma-separated origins; unset or `*`: any site, which is safe because the API uses no
/// cookies: the session id travels in the path).
struct ChatCORSMiddleware: Middleware {
    static let prefix = "/api/v1/chat/"
    let allowed: Set<String>?

    init(config: AppConfig) {
        allowed = config.chatOrigins
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.url.path.hasPrefix(Self.prefix) || request.url.path == String(Self.prefix.dropLast()) else {
            return next.respond(to: request)
        }
        let origin = request.headers.first(name: .origin)
        let allowedOrigin: String? = switch (allowed, origin) {
        case (nil, _): "*"
        case (let list?, let origin?) where list.contains(origin): origin
        default: nil
        }
        let answer: EventLoopFuture<Response>
        if request.method == .OPTIONS, request.headers.contains(name: .accessControlRequestMethod) {
            let response = Response(status: allowedOrigin == nil ? .forbidden : .noContent)
            response.headers.replaceOrAdd(name: .accessControlAllowMethods, value: "POST, OPTIONS")
            response.headers.replaceOrAdd(name: .accessControlAllowHeaders, value: "Content-Type, Accept")
            response.headers.replaceOrAdd(name: .accessControlMaxAge, value: "600")
            answer = request.eventLoop.makeSucceededFuture(response)
        } else {
            answer = next.respond(to: request)
        }
        let listed = allowed != nil
        return answer.map { response in
            if let allowedOrigin {
                response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: allowedOrigin)
            }
            if listed { response.headers.add(name: .vary, value: "Origin") }
            return response
        }
    }
}

extension Request {
    /// For the customer's live feed, a WebSocket, which CORS does not cover: with
    /// `EMA_CHAT_ORIGINS` set, a browser's page must be one of those sites or Ema's own (a
    /// request without `Origin` is not a browser's and passes; the session id is its secret).
    var mayOpenChatFeed: Bool {
        guard let allowed = application.emaConfig.chatOrigins, let origin = headers.first(name: .origin) else { return true }
        return allowed.contains(origin) || comesFromThisSite
    }
}
