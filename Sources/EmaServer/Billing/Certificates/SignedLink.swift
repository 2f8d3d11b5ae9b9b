import Crypto
import EmaCore
import Fluent
import Foundation

/// A short-lived link to something of one person's (a meter's or a card's certificate): its id
/// and an expiry, signed with a platform key, given only after the person proved their mobile.
struct SignedLink {
    let key: PlatformKey

    func make(_ id: UUID, expiry: Date, _ database: any Database) async throws -> String {
        let body = BillLinks.bytes(id) + BillLinks.bytes(UInt64(expiry.timeIntervalSince1970))
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: try await key.value(database))
        return BillLinks.base64URL(Data(body + Array(signature.prefix(16))))
    }

    /// The id, when the token is genuine and not expired.
    func read(_ token: String, now: Date, _ database: any Database) async throws -> UUID? {
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), data.count == 40 else { return nil }
        let bytes = Array(data)
        let expected = HMAC<SHA256>.authenticationCode(for: bytes[0..<24], using: try await key.value(database))
        guard ConstantTime.equals(Array(expected.prefix(16)), Array(bytes[24..<40])) else { return nil }
        let expiry = bytes[16..<24].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard Double(expiry) > now.timeIntervalSince1970 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
