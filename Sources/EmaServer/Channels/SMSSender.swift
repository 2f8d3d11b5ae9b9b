import Foundation

/// Sends text messages. The real implementation speaks Twilio's Messages API; without
/// credentials the sandbox keeps the messages in the database for the simulator page.
public protocol SMSSender: Sendable {
    /// Sends `body` to `to` (E.164). Throws `SMSError`.
    func send(to: String, body: String) async throws -> SMSReceipt
}

/// What the provider said about an accepted message.
public struct SMSReceipt: Sendable, Equatable {
    /// The provider's message id (Twilio `SM…`, sandbox `sandbox-…`).
    public let providerID: String
    public let status: String
}

/// Why a message was not accepted, and whether trying again may help.
public enum SMSError: Error, Equatable, CustomStringConvertible {
    /// The provider refused this message for good (bad number, blocked, bad credentials…).
    case rejected(status: Int, code: Int?, message: String)
    /// Throttled, provider trouble or network: worth retrying later.
    case temporary(status: Int?, message: String)
    /// No SMS provider is configured on this node (and no sandbox stands in).
    case notConfigured

    public var isRetryable: Bool {
        if case .temporary = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .rejected(let status, let code, let message): "SMS rechazado (HTTP \(status), código \(code.map(String.init) ?? "—")): \(message)"
        case .temporary(let status, let message): "SMS no enviado por ahora (HTTP \(status.map(String.init) ?? "—")): \(message)"
        case .notConfigured: "SMS no disponible: no hay un proveedor configurado (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)"
        }
    }
}
