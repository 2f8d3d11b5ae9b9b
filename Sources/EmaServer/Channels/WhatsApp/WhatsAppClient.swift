import EmaCore
import Fluent
import Foundation
import Vapor

/// Sends one message through WhatsApp; returns Meta's message id (`wamid…`).
protocol WhatsAppClient: Sendable {
    func send(_ message: [String: Any]) async throws -> String
}

/// Why the Graph API did not take a message.
enum WhatsAppSendError: Error, Equatable, CustomStringConvertible {
    /// Throughput, pair rate limit, Meta trouble, no answer: retry later.
    case temporary(code: Int?, message: String)
    /// Refused for good; `code` is Meta's error code.
    case rejected(code: Int?, message: String)

    /// Meta's codes that mean "try again later" (WhatsApp spec, Part 1).
    static let transientCodes: Set<Int> = [130_429, 131_056, 80_007, 4, 131_000, 131_016, 2, 133_004, 131_057]

    var isRetryable: Bool {
        if case .temporary = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .temporary(let code, let message): "WhatsApp no disponible por ahora (código \(code.map(String.init) ?? "—")): \(message)"
        case .rejected(let code, let message): "WhatsApp rechazó el mensaje (código \(code.map(String.init) ?? "—")): \(message)"
        }
    }
}

/// The Cloud API: `POST {WHATSAPP_GRAPH_URL}/{phone-number-id}/messages` with a bearer token.
struct GraphWhatsAppClient: WhatsAppClient {
    let client: any Client
    let graphURL: String
    let phoneNumberID: String
    let accessToken: Secret

    struct Accepted: Decodable {
        struct Message: Decodable { let id: String }
        let messages: [Message]
    }

    struct Failure: Decodable {
        struct Body: Decodable { let code: Int?; let message: String? }
        let error: Body
    }

    func send(_ message: [String: Any]) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: message)
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: accessToken.value)
        headers.contentType = .json
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: "\(graphURL)/\(phoneNumberID)/messages"), headers: headers) { request in
                request.body = ByteBuffer(data: body)
            }
        } catch {
            throw WhatsAppSendError.temporary(code: nil, message: "sin respuesta: \(error)")
        }
        if (200..<300).contains(response.status.code), let accepted = try? response.content.decode(Accepted.self), let id = accepted.messages.first?.id {
            return id
        }
        let failure = try? response.content.decode(Failure.self)
        let code = failure?.error.code
        let text = failure?.error.message ?? "HTTP \(response.status.code)"
        if response.status.code == 429 || response.status.code >= 500 || code.map(WhatsAppSendError.transientCodes.contains) == true {
            throw WhatsAppSendError.temporary(code: code, message: text)
        }
        throw WhatsAppSendError.rejected(code: code, message: text)
    }
}

/// Without a token: messages land in the sandbox outbox, where the simulator shows them.
struct SandboxWhatsAppClient: WhatsAppClient {
    let database: any Database
    let clock: AppClock

    func send(_ message: [String: Any]) async throws -> String {
        let recipient = message["to"] as? String ?? ""
        let record = SandboxMessage(channel: "whatsapp", recipient: recipient, body: WhatsAppRenderer.readable(message), createdAt: clock.now())
        try await record.create(on: database)
        return "wamid.sandbox.\(record.id?.uuidString ?? UUID().uuidString)"
    }
}

/// Keeps the whole process under `WHATSAPP_MAX_MPS`: each send takes a token; tokens refill
/// continuously at the configured rate, with a burst of at most one second's worth.
actor TokenBucket {
    private let rate: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(perSecond rate: Int) {
        self.rate = Double(max(1, rate))
        tokens = Double(max(1, rate))
        last = .now
    }

    /// Waits until a token is available, then takes it.
    func take() async throws {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - last
            tokens = min(rate, tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * rate)
            last = now
            if tokens >= 1 {
                tokens -= 1
                return
            }
            try await Task.sleep(for: .seconds((1 - tokens) / rate))
        }
    }
}
