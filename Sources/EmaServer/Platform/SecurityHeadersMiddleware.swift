import Vapor

/// The headers every answer carries. HTML pages: a Content-Security-Policy with no inline script
/// (scripts and styles only from Ema itself; forms post only to Ema, or to the payment gateway's
/// checkout when one is configured; no page may be framed by another site), and a referrer
/// policy that never sends an address to another site. Everything: `nosniff`. The JSON APIs:
/// `no-store`, so no cache keeps what they answer. Future-based, as the other two of the edge
/// (`ChatCORSMiddleware`, `InputGuardMiddleware`): every request passes them, and an
/// `AsyncMiddleware` adds two hops between futures and tasks (too small to measure on the chat
/// benchmark, see BENCHMARKS.md, but free to avoid).
struct SecurityHeadersMiddleware: Middleware {
    let contentSecurityPolicy: String

    init(config: AppConfig) {
        var formAction = ["'self'"]
        if config.wompi.isConfigured, let checkout = URLComponents(string: config.wompi.checkoutURL), let scheme = checkout.scheme, let host = checkout.host {
            formAction.append("\(scheme)://\(host)\(checkout.port.map { ":\($0)" } ?? "")")
        }
        contentSecurityPolicy = [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
            "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action \(formAction.joined(separator: " "))",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            add(to: response, for: request)
            return response
        }
    }

    func add(to response: Response, for request: Request) {
        let headers = response.headers
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        if headers.contentType?.subType == "html" {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
            if !headers.contains(name: "Referrer-Policy") {
                response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
            }
        }
        if request.url.path.hasPrefix("/api/") {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
    }
}
