import Vapor

/// Logs one line per request and feeds `HTTPMetrics`. Logs the route pattern, not the path:
/// paths can carry phone numbers or contract numbers, and query strings can carry codes.
struct RequestLogMiddleware: AsyncMiddleware {
    let metrics: HTTPMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // The error middleware sits inside this one; this only catches what escapes it.
            response = await ErrorMiddleware.response(for: error, to: request)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = elapsed.seconds
        let route = Self.routeLabel(request)
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, seconds: seconds)
        if route != "/health" && route != "/metrics" && !(request.route?.isAnonymous ?? false) {
            request.logger.info("\(request.method.rawValue) \(route)", metadata: [
                "status": .stringConvertible(response.status.code),
                "ms": .string(String(format: "%.1f", seconds * 1000)),
            ])
        }
        return response
    }

    static func routeLabel(_ request: Request) -> String {
        guard let route = request.route else {
            return request.url.path.hasPrefix("/css/") || request.url.path.hasPrefix("/js/") ? "static" : "unmatched"
        }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }
}

extension Route {
    private static let anonymousKey = "ema.anonimo"

    /// A route of anonymous reporting: no access-log line (which would keep the exact time of
    /// each report); only the counters of `/metrics` see it.
    var isAnonymous: Bool {
        get { userInfo[Self.anonymousKey] as? Bool ?? false }
        set { userInfo[Self.anonymousKey] = newValue }
    }

    /// Marks the route anonymous (see `isAnonymous`).
    @discardableResult
    func anonymous() -> Route {
        isAnonymous = true
        return self
    }
}
