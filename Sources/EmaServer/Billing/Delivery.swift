import Fluent
import Foundation
import SQLKit

/// One bill sent to one enrollment: unique per (enrollment, invoice), so a re-run of the
/// dispatch never sends twice. Its status follows the WhatsApp status webhooks.
final class Delivery: Model, @unchecked Sendable {
    static let schema = "deliveries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "enrollment_id") var enrollment: Enrollment
    @Parent(key: "invoice_id") var invoice: Invoice
    @Field(key: "period") var period: String
    @Field(key: "phone") var phone: String
    /// `queued`, `sent`, `delivered`, `read`, `failed`.
    @Field(key: "status") var status: String
    @OptionalField(key: "failure_cause") var failureCause: String?
    @OptionalField(key: "outbox_id") var outboxID: UUID?
    /// Counted by `ema invoices close` (a second close changes nothing).
    @Field(key: "closed") var closed: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateDeliveries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Delivery.schema)
            .id()
            .field("enrollment_id", .uuid, .required, .references(Enrollment.schema, "id", onDelete: .restrict))
            .field("invoice_id", .uuid, .required, .references(Invoice.schema, "id", onDelete: .restrict))
            .field("period", .string, .required)
            .field("phone", .string, .required)
            .field("status", .string, .required)
            .field("failure_cause", .string)
            .field("outbox_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "enrollment_id", "invoice_id")
            .create()
        try await database.sql.create(index: "deliveries_period").on(Delivery.schema).column("period").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Delivery.schema).delete()
    }
}

/// A delivery by its message (the bulk lane tells Billing what became of a message). Created by
/// Channels' `AddOutboxLane` until Billing took its own index over: `IF NOT EXISTS` keeps
/// databases that already have it as they are.
struct AddDeliveriesOutboxIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw("CREATE INDEX IF NOT EXISTS deliveries_outbox ON deliveries (outbox_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX IF EXISTS deliveries_outbox").run()
    }
}
