import EmaCore
import Fluent
import Foundation
import SQLKit

/// How a capability that sends in the bulk lane keeps each message's status in a table of its
/// own (`id`, `status`, `outbox_id`, `updated_at`): `queued` → `sent` → `delivered` → `read`,
/// forward only; `failed` is final. Payment reminders and promotions follow their messages so.
struct BulkTracking {
    /// The capability's table.
    let table: String
    /// Its messages' callback data: `<prefix><row id>`.
    let callbackPrefix: String

    /// The sender handed these messages to Meta.
    func sent(_ messages: [UUID], at now: Date, on database: any Database) async throws {
        guard !messages.isEmpty else { return }
        try await database.sql.update(table).set("status", to: SQLBind("sent")).set("updated_at", to: SQLBind(now))
            .where("outbox_id", .in, SQLBind.group(messages)).where("status", .equal, SQLBind("queued")).run()
    }

    /// A status from a webhook (by the callback data, or by the outbox message when there is
    /// none) or from the sender; returns the outbox messages of the rows it concerns.
    func reached(_ status: DeliveryStatus, callback: String?, message: UUID?, at now: Date, on database: any Database) async throws -> [UUID] {
        let column: String
        let value: UUID
        if let callback {
            guard callback.hasPrefix(callbackPrefix), let row = UUID(uuidString: String(callback.dropFirst(callbackPrefix.count))) else { return [] }
            (column, value) = ("id", row)
        } else if let message {
            (column, value) = ("outbox_id", message)
        } else {
            return []
        }
        let order = ["queued", "sent", "delivered", "read"]
        let target = status.rawValue
        var messages: [UUID] = []
        for row in try await database.sql.select().columns("id", "status", "outbox_id").from(table).where(column, .equal, SQLBind(value)).all() {
            if let outbox = try row.decode(column: "outbox_id", as: UUID?.self) { messages.append(outbox) }
            guard let from = order.firstIndex(of: try row.decode(column: "status", as: String.self)) else { continue }
            if target != "failed", let to = order.firstIndex(of: target), to <= from { continue }
            try await database.sql.update(table).set("status", to: SQLBind(target)).set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(try row.decode(column: "id", as: UUID.self))).run()
        }
        return messages
    }
}

extension BulkTracking {
    /// Messages that must not leave now: for good (`skipped`), or until later (back to `waiting`).
    struct Withdrawal {
        var skipped: [(id: UUID, outbox: UUID)] = []
        var later: [(id: UUID, outbox: UUID)] = []

        var outboxes: Set<UUID> { Set((skipped + later).map(\.outbox)) }
    }

    /// Records a withdrawal in the capability's table; returns the outbox messages withdrawn.
    func withdraw(_ withdrawal: Withdrawal, at now: Date, on database: any Database) async throws -> Set<UUID> {
        for (rows, status) in [(withdrawal.skipped, "skipped"), (withdrawal.later, "waiting")] where !rows.isEmpty {
            try await database.sql.update(table).set("status", to: SQLBind(status)).set("outbox_id", to: SQLLiteral.null)
                .set("updated_at", to: SQLBind(now)).where("id", .in, SQLBind.group(rows.map(\.id))).run()
        }
        return withdrawal.outboxes
    }

    /// Moves the page's `waiting` rows to `queued` with their messages' ids in one statement;
    /// returns the rows it took (another node may have taken some: those get no message).
    func claim(_ pairs: [(row: UUID, message: UUID)], at now: Date, on database: any Database) async throws -> Set<UUID> {
        guard !pairs.isEmpty else { return [] }
        let values = SQLList(pairs.map { SQLGroupExpression([SQLBind($0.row), SQLBind($0.message)]) })
        return Set(try await database.sql.raw("""
            UPDATE \(ident: table) SET status = 'queued', outbox_id = v.column2, updated_at = \(bind: now)
            FROM (VALUES \(values)) AS v WHERE \(ident: table).id = v.column1 AND status = 'waiting'
            RETURNING id
            """).all().map { try $0.decode(column: "id", as: UUID.self) })
    }
}

/// An observer of the bulk lane that keeps its messages in a table of its own (`BulkTracking`)
/// and decides, just before a batch leaves, which must not go: the rest is shared.
protocol TrackedBulkObserver: WhatsAppBulkObserver {
    var tracking: BulkTracking { get }
    /// Among `messages`, those that must not leave now.
    func decide(_ messages: [UUID], at now: Date, on database: any Database) async throws -> BulkTracking.Withdrawal
}

extension TrackedBulkObserver {
    func sent(_ messages: [UUID], at now: Date, on database: any Database) async throws {
        try await tracking.sent(messages, at: now, on: database)
    }

    func reached(
        _ status: DeliveryStatus, code: Int?, cause: DeliveryFailureCause?, callback: String?, message: UUID?,
        at now: Date, on database: any Database
    ) async throws -> [UUID] {
        try await tracking.reached(status, callback: callback, message: message, at: now, on: database)
    }

    func current(_ messages: [UUID], on database: any Database) async throws -> [UUID: WhatsAppTemplate] { [:] }

    func withdrawable(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> {
        try await decide(messages, at: now, on: database).outboxes
    }

    func withdraw(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> {
        try await tracking.withdraw(try await decide(messages, at: now, on: database), at: now, on: database)
    }
}
