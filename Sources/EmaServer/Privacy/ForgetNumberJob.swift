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

    static let patience: TimeInterval = 3_600

    /// Queued after a suppression (on WhatsApp, once the farewell is queued).
    static func enqueue(_ phone: String, on queue: JobQueue) async throws {
        try await queue.enqueue(kind: kind, payload: Payload(phone: phone), maxAttempts: 30)
    }

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let phone = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8)).phone
        // A farewell still on its way is waited for, but not for ever: after an hour whatever
        // is left goes anyway.
        let pending = try await WhatsAppOutboxMessage.query(on: context.database).filter(\.$recipient == phone)
            .filter(\.$state ~~ [WhatsAppOutboxMessage.State.queued.rawValue, WhatsAppOutboxMessage.State.sending.rawValue])
            .filter(\.$createdAt > context.clock.now().addingTimeInterval(-Self.patience)).count()
        guard pending == 0 else { throw ForgetPending() }
        let sql = context.database.sql
        try await sql.delete(from: WhatsAppOutboxMessage.schema).where("recipient", .equal, SQLBind(phone)).run()
        _ = try await ChannelHolderRecords().suppress(Holder(phone: phone, conversations: []), keeping: nil, at: context.clock.now(), on: context.database)
        try await sql.delete(from: WhatsAppSender.schema).where("sender", .equal, SQLBind(phone)).run()
        try await sql.delete(from: JobRecord.schema).where("payload", .like, SQLBind("%\(phone)%")).run()
    }

    struct ForgetPending: Error, CustomStringConvertible {
        var description: String { "La despedida todavía no sale; se intenta de nuevo." }
    }
}
