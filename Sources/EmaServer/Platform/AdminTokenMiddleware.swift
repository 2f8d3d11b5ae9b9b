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

    /// True when the request carries `EMA_ADMIN_TOKEN` as its bearer (for routes open to all that
    /// lift a limit for the utility's own systems).
    static func presentsValidToken(_ request: Request) -> Bool {
        guard let expected = AdminTokenMiddleware(token: request.application.emaConfig.adminToken).expectedDigest,
              let bearer = request.headers.bearerAuthorization else { return false }
        return ConstantTime.equals(Array(SHA256.hash(data: Data(bearer.token.utf8))), expected)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let expectedDigest else { throw PlatformError.adminAPIClosed }
        let client = request.clientAddress
        try await request.rateLimits.check(Self.wrongTokens, client)
        guard let bearer = request.headers.bearerAuthorization else {
            throw PlatformError.missingToken
        }
        let given = Array(SHA256.hash(data: Data(bearer.token.utf8)))
        guard ConstantTime.equals(given, expectedDigest) else {
            try await request.rateLimits.record(Self.wrongTokens, client)
            request.logger.warning("Token de administración incorrecto", metadata: ["client": .string(client)])
            throw PlatformError.invalidToken
        }
        return try await next.respond(to: request)
    }
}
