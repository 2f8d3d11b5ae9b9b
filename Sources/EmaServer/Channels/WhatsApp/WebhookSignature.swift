import Crypto
import EmaCore
import Foundation

/// `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body with the app secret.
enum WebhookSignature {
    enum Verdict: Equatable { case valid, missing, invalid }

    static func verify(body: Data, header: String?, secret: String) -> Verdict {
        guard let header, header.hasPrefix("sha256=") else { return .missing }
        let given = Array(header.dropFirst("sha256=".count).lowercased().utf8)
        let expected = Array(sign(body: body, secret: secret).utf8)
        return ConstantTime.equals(given, expected) ? .valid : .invalid
    }

    /// The hex signature Meta would send for this body.
    static func sign(body: Data, secret: String) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
    }
}
