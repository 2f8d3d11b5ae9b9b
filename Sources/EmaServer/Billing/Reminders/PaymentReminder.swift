import EmaCore
import Fluent
import Foundation
import SQLKit

/// A payment reminder: one per bill and enrolled number (`(invoice, enrollment)` unique: once per
/// bill). `waiting` until it is put in WhatsApp's bulk lane (`queued`, with its message), then
/// `sent`, `delivered`, `read` or `failed` as the message goes; `skipped` when the bill was paid,
/// the holder stopped reminders or the due date passed before it could go.
enum PaymentReminders {
    static let schema = "payment_reminders"

    enum Status: String, CaseIterable {
        case waiting, queued, sent, delivered, read, failed, skipped

        var title: String {
            switch self {
            case .waiting: "Esperando el horario de envío"
            case .queued: "En cola"
            case .sent: "Enviados"
            case .delivered: "Entregados"
            case .read: "Leídos"
            case .failed: "Fallidos"
            case .skipped: "No enviados (factura pagada, recordatorios suspendidos o fecha pasada)"
            }
        }
    }

    /// The callback data of a reminder's message: `recordatorio:<reminder id>`.
    static let callbackPrefix = "recordatorio:"
}

struct CreatePaymentReminders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentReminders.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("invoice_id", .uuid, .required, .references(Invoice.schema, "id", onDelete: .cascade))
            .field("enrollment_id", .uuid, .required, .references(Enrollment.schema, "id", onDelete: .cascade))
            .field("phone", .string, .required)
            .field("due_date", .string, .required)
            .field("status", .string, .required)
            .field("outbox_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "invoice_id", "enrollment_id")
            .create()
        let sql = database.sql
        try await sql.create(index: "payment_reminders_status").on(PaymentReminders.schema).column("status").column("due_date").run()
        try await sql.create(index: "payment_reminders_outbox").on(PaymentReminders.schema).column("outbox_id").run()
        // The holder's «no más recordatorios», per enrollment: the bill still comes.
        try await database.schema(Enrollment.schema).field("reminders", .bool, .required, .sql(.default(true))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Enrollment.schema).deleteField("reminders").update()
        try await database.schema(PaymentReminders.schema).delete()
    }
}
