import EmaCore
import Fluent
import Foundation
import SQLKit

/// A bill of one contract for one period. Upserted from `invoices.csv`.
final class Invoice: Model, @unchecked Sendable {
    static let schema = "invoices"

    @ID(key: .id) var id: UUID?
    @Field(key: "invoice_number") var invoiceNumber: String
    @Parent(key: "contract_id") var contract: Contract
    /// `YYYY-MM`.
    @Field(key: "period") var period: String
    /// `YYYY-MM-DD` civil dates: a bill's dates have no time zone.
    @Field(key: "issue_date") var issueDate: String
    @Field(key: "due_date") var dueDate: String
    @Field(key: "amount_cop") var amountCOP: Int64
    /// Pesos applied by approved payments (Factura Web); the balance is `amountCOP - paidCOP`.
    @Field(key: "paid_cop") var paidCOP: Int64
    @OptionalField(key: "paid_at") var paidAt: Date?
    /// Pesos moved into a payment agreement (its instalments are billed later).
    @Field(key: "financed_cop") var financedCOP: Int64
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    func standing(today: CivilDate) -> BillStanding {
        BillStanding(amount: amountCOP, paid: paidCOP, financed: financedCOP, dueDate: CivilDate(dueDate), today: today)
    }

    /// What is still owed on this bill: neither paid nor financed.
    var balanceCOP: Int64 { max(0, amountCOP - paidCOP - financedCOP) }
}

struct CreateInvoices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Invoice.schema)
            .id()
            .field("invoice_number", .string, .required)
            .field("contract_id", .uuid, .required, .references(Contract.schema, "id", onDelete: .restrict))
            .field("period", .string, .required)
            .field("issue_date", .string, .required)
            .field("due_date", .string, .required)
            .field("amount_cop", .int64, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "invoice_number")
            .create()
        try await database.sql
            .create(index: "invoices_contract_period")
            .on(Invoice.schema)
            .column("contract_id")
            .column("period")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Invoice.schema).delete()
    }
}

/// Payments applied to a bill: what has been paid and when it was settled.
struct AddPaymentToInvoices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Invoice.schema)
            .field("paid_cop", .int64, .required, .sql(.default(0)))
            .update()
        try await database.schema(Invoice.schema)
            .field("paid_at", .datetime)
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Invoice.schema).deleteField("paid_at").update()
        try await database.schema(Invoice.schema).deleteField("paid_cop").update()
    }
}

/// What a payment agreement took of each bill.
struct AddFinancedToInvoices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Invoice.schema).field("financed_cop", .int64, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Invoice.schema).deleteField("financed_cop").update()
    }
}
