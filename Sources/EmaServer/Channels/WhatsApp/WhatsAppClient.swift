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
    /// No answer came back: the message may or may not have reached Meta.
    case unanswered(message: String)

    /// Meta's codes that mean "try again later" (WhatsApp spec, Part 1).
    static var transientCodes: Set<Int> { DeliveryFailureCause.transientCodes }

    var isRetryable: Bool {
        switch self {
        case .temporary, .unanswered: true
        case .rejected: false
        }
    }

    var description: String {
        switch self {
        case .temporary(let code, let message): "WhatsApp no disponible por ahora (código \(code.map(String.init) ?? "—")): \(message)"
        case .rejected(let code, let message): "WhatsApp rechazó el mensaje (código \(code.map(String.init) ?? "—")): \(message)"
        case .unanswered(let message): "WhatsApp no respondió: \(message)"
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
            throw WhatsAppSendError.unanswered(message: "\(error)")
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

/// No WhatsApp configured (and no sandbox): nothing leaves; the message stays queued as a
/// temporary failure, so it goes once WhatsApp is configured (within the 24-hour window).
struct UnavailableWhatsAppClient: WhatsAppClient {
    func send(_ message: [String: Any]) async throws -> String {
        throw WhatsAppSendError.temporary(code: nil, message: "WhatsApp no está configurado en este nodo (WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID)")
    }
}

/// Keeps the whole process under `WHATSAPP_MAX_MPS`, measured when each send passes (not when
/// it asked), so even a stalled process cannot release a burst: no one-second window ever holds
/// more than 98 % of `rate` sends (the 2 % is for the jitter between passing here and arriving
/// at Meta, which can bunch sends together; measured at 1,000 msg/s). Sends are also spaced at least 0.9/rate apart, so they spread over
/// the second; the window, not the spacing, is the ceiling, so a sleep that wakes a little late
/// costs no throughput.
actor RatePacer {
    let rate: Int
    let spacing: Duration
    /// The instants of the last `rate` passes, oldest first (a ring).
    private var passes: [ContinuousClock.Instant] = []
    private var oldest = 0

    init(perSecond ceiling: Int) {
        rate = max(1, ceiling * 98 / 100)
        spacing = .nanoseconds(900_000_000 / Int64(max(1, ceiling)))
        passes.reserveCapacity(self.rate)
    }

    /// Waits until this send may go; returns the instant it went.
    @discardableResult
    func take() async throws -> ContinuousClock.Instant {
        while true {
            let now = ContinuousClock.now
            let newest = passes.isEmpty ? nil : passes[(oldest + passes.count - 1) % passes.count]
            if let newest, now < newest + spacing {
                try await Task.sleep(until: newest + spacing, clock: .continuous)
                continue
            }
            if passes.count == rate, now < passes[oldest] + .seconds(1) {
                try await Task.sleep(until: passes[oldest] + .seconds(1), clock: .continuous)
                continue
            }
            if passes.count < rate {
                passes.append(now)
            } else {
                passes[oldest] = now
                oldest = (oldest + 1) % rate
            }
            return now
        }
    }
}
