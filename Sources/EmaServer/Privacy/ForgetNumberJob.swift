import Fluent
import Foundation
import SQLKit

/// After a suppression on WhatsApp, Ema's farewell still has to go out to the number. Once it
/// is sent (or has failed for good), this job deletes what the farewell left — its outbox row,
/// the number's sending lease, the sandbox copy — and every job that names the number, itself
/// included. While the farewell is on its way, it tries again later.
enum ForgetNumberJob {
    static let kind = "privacy.forget_number"

    struct Payload: Codable { let phone: String }

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let phone = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8)).phone
        let pending = try await WhatsAppOutboxMessage.query(on: context.database).filter(\.$recipient == phone)
            .filter(\.$state ~~ [WhatsAppOutboxMessage.State.queued.rawValue, WhatsAppOutboxMessage.State.sending.rawValue]).count()
        guard pending == 0 else { throw ForgetPending() }
        _ = try await ChannelHolderRecords().suppress(phone, keeping: nil, at: context.clock.now(), on: context.database)
        try await (context.database as! any SQLDatabase).delete(from: JobRecord.schema).where("payload", .like, SQLBind("%\(phone)%")).run()
    }

    struct ForgetPending: Error, CustomStringConvertible {
        var description: String { "La despedida todavía no sale; se intenta de nuevo." }
    }
}
