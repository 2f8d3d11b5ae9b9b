import Vapor

/// A path that exists answered with a method it does not take is a 405 with `Allow`, not a
/// 404 (HTTP says so, and API clients and contract testers expect it). Runs inside
/// `ErrorMiddleware`, so the answer is JSON for the APIs and a page for people.
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as any AbortError where error.status == .notFound && request.route == nil {
            let allowed = Self.methods(for: request.url.path, in: request.application.routes.all)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            throw PlatformError.methodNotAllowed(allowed)
        }
    }

    /// The methods registered for a concrete path (parameters match any one component).
    static func methods(for path: String, in routes: [Route]) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var methods: Set<String> = []
        for route in routes where route.path.count == parts.count {
            let matches = zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let text): text == part
                case .parameter: true
                case .anything, .catchall: true
                }
            }
            if matches { methods.insert(route.method.rawValue) }
        }
        return methods.sorted()
    }
}
