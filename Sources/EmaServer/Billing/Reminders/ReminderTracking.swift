import EmaCore
import Fluent
import Foundation
import SQLKit

/// Billing follows its reminders through WhatsApp's bulk lane (registered with the delivery
/// tracking): a reminder moves with its message; just before a batch leaves, reminders of bills
/// paid meanwhile, of holders who stopped them, or caught outside 7:00–20:00 are withdrawn — the
/// first two for good (`skipped`), the last back to `waiting` for the next morning.
struct ReminderTracking: WhatsAppBulkObserver {
    let clock: AppClock

    var tracking: BulkTracking { BulkTracking(table: PaymentReminders.schema, callbackPrefix: PaymentReminders.callbackPrefix) }

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
        let (skipped, later) = try await decide(messages, at: now, on: database)
        return Set((skipped + later).map(\.outbox))
    }

    func withdraw(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> {
        let (skipped, later) = try await decide(messages, at: now, on: database)
        for (rows, status) in [(skipped, PaymentReminders.Status.skipped), (later, .waiting)] where !rows.isEmpty {
            try await database.sql.update(PaymentReminders.schema).set("status", to: SQLBind(status.rawValue))
                .set("outbox_id", to: SQLLiteral.null).set("updated_at", to: SQLBind(now)).where("id", .in, SQLBind.group(rows.map(\.id))).run()
        }
        return Set((skipped + later).map(\.outbox))
    }

    /// Among `messages`, the reminders that must not leave now: for good (the bill is paid or
    /// financed, the number stopped them or its enrollment ended) or until the window opens.
    func decide(_ messages: [UUID], at now: Date, on database: any Database) async throws
        -> (skipped: [(id: UUID, outbox: UUID)], later: [(id: UUID, outbox: UUID)]) {
        guard !messages.isEmpty else { return ([], []) }
        let rows = try await database.sql.raw("""
            SELECT r.id, r.outbox_id, i.amount_cop - i.paid_cop - i.financed_cop AS balance, e.reminders, e.status AS enrollment
            FROM \(ident: PaymentReminders.schema) AS r
            JOIN \(ident: Invoice.schema) AS i ON i.id = r.invoice_id
            JOIN \(ident: Enrollment.schema) AS e ON e.id = r.enrollment_id
            WHERE r.outbox_id IN (\(binds: messages))
            """).all()
        let open = ReminderService.window.isOpen(at: now)
        var skipped: [(id: UUID, outbox: UUID)] = []
        var later: [(id: UUID, outbox: UUID)] = []
        for row in rows {
            let reminder = (id: try row.decode(column: "id", as: UUID.self), outbox: try row.decode(column: "outbox_id", as: UUID.self))
            if try row.decode(column: "balance", as: Int64.self) <= 0 || !row.decode(column: "reminders", as: Bool.self)
                || row.decode(column: "enrollment", as: String.self) != Enrollment.Status.active.rawValue {
                skipped.append(reminder)
            } else if !open {
                later.append(reminder)
            }
        }
        return (skipped, later)
    }
}
