import NIOConcurrencyHelpers
import NIOCore
import Vapor

extension Request {
    /// Who the client is, for the limits: the address of the person's device, an IPv6 address
    /// grouped by its /64 (one home or phone network gets one, and rotating inside it is free).
    /// Behind a load balancer the connection comes from the balancer: when it is one of
    /// `EMA_TRUSTED_PROXIES`, the address is the last one of `X-Forwarded-For` that is not a
    /// trusted proxy (the balancer appends what it saw; anything to its left came from the client
    /// and can be forged), its port dropped.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "desconocido"
        let trusted = application.emaConfig.trustedProxies
        let forwarded = headers[.xForwardedFor]
        guard !trusted.isEmpty, trusted.contains(peer) else {
            if !forwarded.isEmpty { application.warnUntrustedForwarding(from: peer, logger: logger) }
            return ClientAddress.key(peer)
        }
        let hops = forwarded.flatMap { $0.split(separator: ",") }.map { ClientAddress.withoutPort($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
        return ClientAddress.key(hops.last { !trusted.contains($0) } ?? peer)
    }
}

enum ClientAddress {
    /// `203.0.113.7:51234` → `203.0.113.7`; `[2001:db8::1]:443` → `2001:db8::1`; a bare IPv6
    /// address stays as it is.
    static func withoutPort(_ text: String) -> String {
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<end]) }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    /// The limits' key of an address: IPv4 as it is, IPv6 as its /64 (`2001:db8:1:2::/64`), an
    /// IPv4-mapped IPv6 address as the IPv4 one.
    static func key(_ address: String) -> String {
        guard address.contains(":"), let parsed = try? SocketAddress(ipAddress: address, port: 0), case .v6(let v6) = parsed else { return address }
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}

/// Whether this process warned already (see `warnUntrustedForwarding`).
private let forwardingWarned = NIOLockedValueBox(false)

extension Application {
    /// Once per process: `X-Forwarded-For` arrives from an address that `EMA_TRUSTED_PROXIES`
    /// does not list, so every client behind that balancer shares one address and one set of
    /// limits.
    func warnUntrustedForwarding(from peer: String, logger: Logger) {
        let first = forwardingWarned.withLockedValue { warned in
            defer { warned = true }
            return !warned
        }
        guard first else { return }
        logger.warning("Llegan solicitudes con X-Forwarded-For desde una dirección que no está en EMA_TRUSTED_PROXIES: los límites cuentan la dirección del balanceador, no la de cada cliente. Si hay un balanceador delante, agréguelo a EMA_TRUSTED_PROXIES.", metadata: ["origen": .string(peer)])
    }
}
