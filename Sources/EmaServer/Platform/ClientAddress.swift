import Vapor

extension Request {
    /// The address of the person's device, for limits and the audit log. Behind a load balancer
    /// the connection comes from the balancer: when it is one of `EMA_TRUSTED_PROXIES`, the
    /// address is the last one of `X-Forwarded-For` that is not a trusted proxy (the balancer
    /// appends what it saw; anything to the left of it came from the client and can be forged).
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "desconocido"
        let trusted = application.emaConfig.trustedProxies
        guard !trusted.isEmpty, trusted.contains(peer) else { return peer }
        let forwarded = headers[.xForwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return forwarded.last { !trusted.contains($0) } ?? peer
    }
}
