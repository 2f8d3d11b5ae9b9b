import EmaCore
import Fluent
import Foundation
import Logging

/// The SMS provider of a machine without Twilio credentials: messages are stored in
/// `sandbox_messages`, where the simulator page reads them.
struct SandboxSMSSender: SMSSender {
    let database: any Database
    let clock: AppClock
    let logger: Logger

    func send(to: String, body: String) async throws -> SMSReceipt {
        let message = SandboxMessage(channel: "sms", recipient: to, body: body, createdAt: clock.now())
        try await message.create(on: database)
        logger.info("SMS guardado en el buzón de pruebas", metadata: ["to": .string(Masking.phone(to))])
        return SMSReceipt(providerID: "sandbox-\(message.id?.uuidString ?? "")", status: "delivered")
    }
}
