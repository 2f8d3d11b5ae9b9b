import EmaCore
import Fluent
import Foundation
import SQLKit

/// Billing follows its reminders through WhatsApp's bulk lane (registered with the delivery
/// tracking): a reminder moves with its message; just before a batch leaves, reminders of bills
/// paid meanwhile, of holders who stopped them, or caught outside 7:00–20:00 are withdrawn — the
/// first two for good (`skipped`), the last back to `waiting` for the next morning.
struct ReminderTracking: TrackedBulkObserver {
    var tracking: BulkTracking { BulkTracking(table: PaymentReminders.schema, callbackPrefix: PaymentReminders.callbackPrefix) }

    /// Among `messages`, the reminders that must not leave now: for good (the bill is paid or
    /// financed, the number stopped them or its enrollment ended) or until the window opens.
    func decide(_ messages: [UUID], at now: Date, on database: any Database) async throws -> BulkTracking.Withdrawal {
        guard !messages.isEmpty else { return .init() }
        let rows = try await database.sql.raw("""
            SELECT r.id, r.outbox_id, i.amount_cop - i.paid_cop - i.financed_cop AS balance, e.reminders, e.status AS enrollment
            FROM \(ident: PaymentReminders.schema) AS r
            JOIN \(ident: Invoice.schema) AS i ON i.id = r.invoice_id
            JOIN \(ident: Enrollment.schema) AS e ON e.id = r.enrollment_id
            WHERE r.outbox_id IN (\(binds: messages))
            """).all()
        let open = ReminderService.window.isOpen(at: now)
        var withdrawal = BulkTracking.Withdrawal()
        for row in rows {
            let reminder = (id: try row.decode(column: "id", as: UUID.self), outbox: try row.decode(column: "outbox_id", as: UUID.self))
            if try row.decode(column: "balance", as: Int64.self) <= 0 || !row.decode(column: "reminders", as: Bool.self)
                || row.decode(column: "enrollment", as: String.self) != Enrollment.Status.active.rawValue {
                withdrawal.skipped.append(reminder)
            } else if !open {
                withdrawal.later.append(reminder)
            }
        }
        return withdrawal
    }
}
