import EmaCore
import Foundation
import Vapor

/// `POST /webhooks/wompi`: Wompi's events. The checksum is checked first; then the
/// transaction is read back from Wompi's API (the event only says "look at this one") and
/// applied. A replayed event changes nothing; a forged one is refused.
struct WompiWebhookController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "webhooks", "wompi", body: .collect(maxSize: "64kb"), use: receive)
    }

    struct Ack: Content {
        let received: Bool
    }

    @Sendable
    func receive(request: Request) async throws -> Ack {
        guard let gateway = request.application.paymentGateway as? WompiGateway else {
            throw PaymentError.wompiNotConfigured
        }
        guard let body = request.body.data, body.readableBytes > 0 else { throw PaymentError.malformedEvent }
        guard let event = WompiGateway.verify(
            body: Data(buffer: body), headerChecksum: request.headers.first(name: "X-Event-Checksum"),
            eventsSecret: gateway.credentials.eventsSecret.value
        ) else {
            request.logger.warning("Evento de Wompi rechazado: la firma no coincide o el cuerpo no es un evento")
            throw PaymentError.invalidSignature
        }
        guard event.event == "transaction.updated" else { return Ack(received: true) }
        // The authoritative record: if Wompi's API does not answer, say so and Wompi retries.
        guard let transaction = try await gateway.transaction(id: event.transactionID, client: request.client, database: request.db) else {
            request.logger.warning("Wompi no reconoce la transacción del evento")
            return Ack(received: true)
        }
        try await PaymentService(database: request.db, gateway: gateway, logger: request.logger)
            .settle(transaction, now: request.application.clock.now())
        return Ack(received: true)
    }
}
