import Fluent
import Foundation
import SQLKit

/// After a suppression (asked for on WhatsApp, or at the privacy desk), Ema's farewell still
/// has to go out to the number. Once it is sent (or has failed for good), this job deletes what
/// the farewell left — its outbox row, the number's sending lease, the sandbox copy — and every
/// job that names the number, itself included. While the farewell is on its way, it tries
/// again later.
enum ForgetNumberJob {
    static let kind = "privacy.forget_number"

    struct Payload: Codable { let phone: String }

    static let patience: TimeInterval = 3_600

    /// Queued after a suppression (on WhatsApp, once the farewell is queued).
    static func enqueue(_ phone: String, on queue: JobQueue) async throws {
        try await queue.enqueue(kind: kind, payload: Payload(phone: phone), maxAttempts: 30)
    }

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let phone = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8)).phone
        // A farewell still on its way is waited for, but not for ever: after an hour whatever
        // is left goes anyway.
        let database = context.database
        let pending = try await database.sql.select().column("id").from(WhatsAppOutboxMessage.schema)
            .where("recipient", .equal, SQLBind(phone))
            .where("state", .in, SQLBind.group([WhatsAppOutboxMessage.State.queued.rawValue, WhatsAppOutboxMessage.State.sending.rawValue]))
            .where("created_at", .greaterThan, SQLBind(context.clock.now().addingTimeInterval(-Self.patience)))
            .limit(1).first()
        guard pending == nil else { throw ForgetPending() }
        try await database.sql.delete(from: WhatsAppOutboxMessage.schema).where("recipient", .equal, SQLBind(phone)).run()
        _ = try await ChannelHolderRecords().suppress(Holder(phone: phone, conversations: []), keeping: nil, at: context.clock.now(), on: database)
        try await database.sql.delete(from: WhatsAppSender.schema).where("sender", .equal, SQLBind(phone)).run()
        _ = try await JobQueue(database: database, clock: context.clock).forget(mentioning: phone, running: true)
    }

    struct ForgetPending: Error, CustomStringConvertible {
        var description: String { "La despedida todavía no sale; se intenta de nuevo." }
    }
}
