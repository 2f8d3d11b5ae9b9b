import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// What another capability does with WhatsApp's bulk lane (Billing's monthly bill): queue
/// template messages inside its own transaction, take back a number's messages not yet sent,
/// ask which are still on their way; and follow what becomes of them through a
/// `WhatsAppBulkObserver` it registers. The dependency runs from that capability to Channels.
enum WhatsAppBulkLane {
    struct Message {
        /// Chosen by the caller, who keeps it to recognise the message's fate.
        let id: UUID
        let recipient: String
        let template: WhatsAppTemplate
    }

    /// When messages a customer did not ask for (reminders, promotions) may leave, every day in
    /// Bogotá.
    static let customerHours = AdvisorHours(opens: 7 * 60, closes: 20 * 60)

    /// Messages per insert (9 values each stays under SQLite's 32,766 bound parameters).
    static let insertSize = 3_000

    /// Queues template messages in the caller's transaction: one multi-row insert per
    /// `insertSize` messages. Start senders (`WhatsAppBulkSender.start`) once the transaction committed.
    static func queue(_ messages: [Message], at now: Date, on database: any Database) async throws {
        let sql = database.sql
        for start in stride(from: 0, to: messages.count, by: insertSize) {
            let insert = sql.insert(into: WhatsAppOutboxMessage.schema)
                .columns("id", "recipient", "body", "is_template", "lane", "state", "attempts", "created_at", "updated_at")
            for message in messages[start..<min(messages.count, start + insertSize)] {
                insert.values(
                    SQLBind(message.id), SQLBind(message.recipient), SQLBind(message.template.json(to: message.recipient)), SQLBind(true),
                    SQLBind(WhatsAppOutboxMessage.Lane.bulk.rawValue), SQLBind(WhatsAppOutboxMessage.State.queued.rawValue), SQLBind(0),
                    SQLBind(now), SQLBind(now)
                )
            }
            try await insert.run()
        }
    }

    /// Takes back the recipient's bulk messages no sender has claimed yet (they will not go out)
    /// and returns their ids; one already being sent stays.
    static func takeBack(recipient: String, on database: any Database) async throws -> [UUID] {
        try await database.sql.delete(from: WhatsAppOutboxMessage.schema)
            .where("recipient", .equal, SQLBind(recipient))
            .where("lane", .equal, SQLBind(WhatsAppOutboxMessage.Lane.bulk.rawValue))
            .where("state", .equal, SQLBind(WhatsAppOutboxMessage.State.queued.rawValue))
            .returning("id").all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Among `ids`, the messages still on their way: queued, being sent, or interrupted and
    /// waiting for Meta's status. A message that is sent, failed or gone is not.
    static func onTheirWay(among ids: [UUID], on database: any Database) async throws -> Set<UUID> {
        var found = Set<UUID>()
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let chunk = Array(ids[start..<min(ids.count, start + 1_000)])
            found.formUnion(try await database.sql.select().column("id").from(WhatsAppOutboxMessage.schema)
                .where("id", .in, SQLBind.group(chunk))
                .where("state", .notIn, SQLBind.group([WhatsAppOutboxMessage.State.sent.rawValue, WhatsAppOutboxMessage.State.failed.rawValue]))
                .all().map { try $0.decode(column: "id", as: UUID.self) })
        }
        return found
    }

    /// The bulk messages interrupted mid-send and waiting for Meta's status before any resend
    /// (a few: at most a batch per sender that died).
    static func inDoubt(on database: any Database) async throws -> [UUID] {
        try await database.sql.raw("""
            SELECT id FROM \(ident: WhatsAppOutboxMessage.schema) WHERE lane = 'bulk' AND state = 'uncertain'
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
    }
}

/// A capability that sends in the bulk lane and follows its messages (Billing: a bill's
/// delivery). Channels calls it inside the transaction that records each change.
protocol WhatsAppBulkObserver: Sendable {
    /// The sender handed these messages to Meta.
    func sent(_ messages: [UUID], at now: Date, on database: any Database) async throws

    /// A message reached `status`: from a status webhook (`callback` its callback data when the
    /// status carries one, `message` the outbox row when Ema knows it), or failed for good at the
    /// sender (`cause` when Ema knows it better than Meta's `code`). Returns the outbox messages
    /// it concerns, so Channels settles one that was interrupted mid-send.
    func reached(
        _ status: DeliveryStatus, code: Int?, cause: DeliveryFailureCause?, callback: String?, message: UUID?,
        at now: Date, on database: any Database
    ) async throws -> [UUID]

    /// Just before a batch leaves: the messages among `messages` whose content changed since
    /// they were queued (a bill paid meanwhile), as they should go now. Those not named go as
    /// they were queued.
    func current(_ messages: [UUID], on database: any Database) async throws -> [UUID: WhatsAppTemplate]

    /// Just before a batch leaves, inside the transaction that takes them out of the lane: the
    /// messages among `messages` that must not go now (a reminder of a bill paid meanwhile, or
    /// caught outside its hours); the observer records why. Those are deleted, never sent.
    func withdraw(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID>

    /// A read-only first look: the messages `withdraw` would take, so a batch with none (the
    /// monthly bill's) opens no transaction for it.
    func withdrawable(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID>
}

extension WhatsAppBulkObserver {
    func withdraw(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> { [] }
    func withdrawable(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> { [] }
}

extension Application {
    private struct BulkObserversKey: StorageKey { typealias Value = [any WhatsAppBulkObserver] }

    /// The observers of the bulk lane, registered at configuration.
    var whatsAppBulkObservers: [any WhatsAppBulkObserver] {
        get { storage[BulkObserversKey.self] ?? [] }
        set { storage[BulkObserversKey.self] = newValue }
    }
}
