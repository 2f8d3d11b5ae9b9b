import Crypto
import EmaCore
import Vapor

/// Guards `/api/v1/admin/*` with the bearer token `EMA_ADMIN_TOKEN`. Tokens are compared as
/// SHA-256 digests in constant time (no timing hint about length or content); an address that
/// sends 10 wrong tokens in a minute is refused until the minute ends.
struct AdminTokenMiddleware: AsyncMiddleware {
    let expectedDigest: [UInt8]?
    /// Wrong tokens per address: 10 a minute.
    static let wrongTokens = RateLimit("admin.token_incorrecto", limit: 10, window: 60)

    init(token: Secret?) {
        expectedDigest = token.map { Array(SHA256.hash(data: Data($0.value.utf8))) }
    }

    enum Presented { case none, valid, wrong }

    /// The bearer of a request against `EMA_ADMIN_TOKEN`. A presented token is counted before it
    /// is compared (a burst of guesses cannot all pass a check made before any failed) and given
    /// back when right; over the limit, `PlatformError.rateLimited`. Also used by public routes
    /// that lift a limit for the utility's own systems.
    static func check(_ request: Request) async throws -> Presented {
        guard let expected = AdminTokenMiddleware(token: request.application.emaConfig.adminToken).expectedDigest,
              let bearer = request.headers.bearerAuthorization else { return .none }
        let client = request.clientAddress
        let attempt = try await request.rateLimits.attempt([(wrongTokens, client)])
        guard ConstantTime.equals(Array(SHA256.hash(data: Data(bearer.token.utf8))), expected) else {
            request.logger.warning("Token de administración incorrecto", metadata: ["client": .string(client)])
            return .wrong
        }
        try await attempt.succeeded()
        return .valid
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard expectedDigest != nil else { throw PlatformError.adminAPIClosed }
        switch try await Self.check(request) {
        case .none: throw PlatformError.missingToken
        case .wrong: throw PlatformError.invalidToken
        case .valid: return try await next.respond(to: request)
        }
    }
}
