import EmaCore
import Foundation
import Vapor

/// `GET /webhooks/whatsapp` (verification handshake) and `POST /webhooks/whatsapp` (messages and
/// statuses, signed). The POST checks the signature on the raw bytes first, stores what came and
/// answers at once; the conversation runs afterwards in a job, in order per sender.
struct WhatsAppWebhookController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let hooks = routes.grouped("webhooks", "whatsapp")
        hooks.get(use: verify)
        // Meta's payloads reach 3 MB.
        hooks.on(.POST, body: .collect(maxSize: "4mb"), use: receive)
    }

    /// Echoes `hub.challenge` as text when `hub.verify_token` matches; 403 otherwise.
    @Sendable
    func verify(request: Request) async throws -> Response {
        let mode = request.query[String.self, at: "hub.mode"]
        let token = request.query[String.self, at: "hub.verify_token"] ?? ""
        let challenge = request.query[String.self, at: "hub.challenge"] ?? ""
        guard mode == "subscribe", let expected = request.application.emaConfig.whatsApp.verifyToken,
              ConstantTime.equals(Array(token.utf8), Array(expected.value.utf8))
        else {
            throw WebhookError.verificationFailed
        }
        let response = Response(status: .ok, body: .init(string: challenge))
        response.headers.contentType = .plainText
        return response
    }

    struct Ack: Content { let status: String }

    @Sendable
    func receive(request: Request) async throws -> Response {
        let start = ContinuousClock.now
        guard let secret = request.application.whatsAppAppSecret else { throw WebhookError.unavailable }
        let body = request.body.data.map { Data(buffer: $0) } ?? Data()
        switch WebhookSignature.verify(body: body, header: request.headers.first(name: "X-Hub-Signature-256"), secret: secret) {
        case .missing: throw WebhookError.missingSignature
        case .invalid: throw WebhookError.invalidSignature
        case .valid: break
        }
        let payload: WebhookPayload
        do {
            payload = try JSONDecoder().decode(WebhookPayload.self, from: body)
        } catch {
            throw WebhookError.malformed
        }
        // A signed batch with a message Meta could not have written (a sender that is not a
        // number): that message is dropped and the rest taken; answering 4xx would make Meta
        // resend the whole batch for days.
        let (plausible, dropped) = payload.plausible()
        if dropped > 0 {
            request.logger.warning("Webhook de WhatsApp con mensajes o estados cuyo remitente o id no son de Meta; se descartan", metadata: ["descartados": "\(dropped)"])
        }
        // Committed within 8 s or answered 503 (Meta retries; a message id is stored once).
        let ingest = request.application.webhookIngest
        try await DatabaseOutage.answerWithin(seconds: 8) { try await ingest.submit(plausible) }
        let elapsed = ContinuousClock.now - start
        request.application.httpMetrics.webhookAcknowledged(provider: "whatsapp", seconds: elapsed.seconds)
        let response = Response(status: .ok)
        try response.content.encode(Ack(status: "ok"))
        return response
    }
}

enum WebhookError: EmaError {
    case missingSignature
    case invalidSignature
    case malformed
    case unavailable
    case verificationFailed

    var status: HTTPResponseStatus {
        switch self {
        case .unavailable: .serviceUnavailable
        case .missingSignature: .unauthorized
        case .invalidSignature, .verificationFailed: .forbidden
        case .malformed: .badRequest
        }
    }

    var code: String {
        switch self {
        case .missingSignature: "missing_signature"
        case .invalidSignature: "invalid_signature"
        case .malformed: "malformed_payload"
        case .unavailable: "whatsapp_unavailable"
        case .verificationFailed: "verification_failed"
        }
    }

    var reason: String {
        switch self {
        case .missingSignature: "Falta el encabezado X-Hub-Signature-256."
        case .invalidSignature: "La firma X-Hub-Signature-256 no corresponde al cuerpo."
        case .malformed: "El cuerpo no es un webhook de WhatsApp válido."
        case .unavailable: "WhatsApp no está disponible en este servidor: falta configurar WHATSAPP_APP_SECRET."
        case .verificationFailed: "La verificación del webhook no coincide: revisa hub.mode y hub.verify_token (WHATSAPP_VERIFY_TOKEN)."
        }
    }
}
