import Crypto
import EmaCore
import Vapor

/// Guards `/api/v1/admin/*` with the bearer token `EMA_ADMIN_TOKEN`. Tokens are compared as
/// SHA-256 digests in constant time (no timing hint about length or content); an address that
/// sends 10 wrong tokens in a minute is refused until the minute ends.
struct AdminTokenMiddleware: AsyncMiddleware {
    let expectedDigest: [UInt8]?
    let limiter = RateLimiter(.init(limit: 10, window: 60))

    init(token: Secret?) {
        expectedDigest = token.map { Array(SHA256.hash(data: Data($0.value.utf8))) }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let expectedDigest else { throw PlatformError.adminAPIClosed }
        let client = request.remoteAddress?.ipAddress ?? "desconocido"
        let now = request.application.clock.now()
        if let wait = await limiter.retryAfter(client, now: now) {
            throw PlatformError.rateLimited(retryAfterSeconds: wait)
        }
        guard let bearer = request.headers.bearerAuthorization else {
            throw PlatformError.missingToken
        }
        let given = Array(SHA256.hash(data: Data(bearer.token.utf8)))
        guard ConstantTime.equals(given, expectedDigest) else {
            await limiter.record(client, now: now)
            request.logger.warning("Token de administración incorrecto", metadata: ["client": .string(client)])
            throw PlatformError.invalidToken
        }
        return try await next.respond(to: request)
    }
}
