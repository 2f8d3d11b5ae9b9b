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
