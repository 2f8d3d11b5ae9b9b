import EmaCore
import Fluent
import Foundation
import SQLKit

/// One attempt to pay one bill through a gateway. `reference` is what the gateway knows it by
/// (unique per attempt); `(invoice, idempotency_key)` is unique so a double submit of the same
/// form is the same attempt; `(gateway, gateway_transaction_id)` is unique so one gateway
/// transaction pays at most one attempt.
final class Payment: Model, @unchecked Sendable {
    static let schema = "payments"

    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Parent(key: "invoice_id") var invoice: Invoice
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "amount_cop") var amountCOP: Int64
    /// `sandbox` or `wompi`.
    @Field(key: "gateway") var gateway: String
    @Field(key: "status") var status: String
    @OptionalField(key: "gateway_transaction_id") var gatewayTransactionID: String?
    /// e.g. PSE, CARD, NEQUI; and the bank for PSE when known.
    @OptionalField(key: "method") var method: String?
    /// Why an attempt was not applied although the gateway answered (e.g. `amount_mismatch`).
    @OptionalField(key: "problem") var problem: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "settled_at") var settledAt: Date?
    /// The coupon it pays, when it pays one: its amount is spread over the open bills when applied.
    @OptionalField(key: "coupon_id") var couponID: UUID?

    init() {}

    var paymentStatus: PaymentStatus { PaymentStatus(rawValue: status) ?? .pending }
}

struct CreatePayments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Payment.schema)
            .id()
            .field("reference", .string, .required)
            .field("invoice_id", .uuid, .required, .references(Invoice.schema, "id", onDelete: .restrict))
            .field("idempotency_key", .string, .required)
            .field("amount_cop", .int64, .required)
            .field("gateway", .string, .required)
            .field("status", .string, .required)
            .field("gateway_transaction_id", .string)
            .field("method", .string)
            .field("problem", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("settled_at", .datetime)
            .unique(on: "reference")
            .unique(on: "invoice_id", "idempotency_key")
            .unique(on: "gateway", "gateway_transaction_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Payment.schema).delete()
    }
}

/// The bills one attempt pays when it pays several («Pagar todo»), each with its part of the
/// amount. An attempt for one bill has no items (its `invoice_id` and `amount_cop` say it all).
enum PaymentItems {
    static let schema = "payment_items"

    /// The bills and amounts of an attempt; empty for an attempt of one bill.
    static func of(_ payment: UUID, on database: any Database) async throws -> [(invoice: UUID, amountCOP: Int64)] {
        try await database.sql.select().columns("invoice_id", "amount_cop").from(schema)
            .where("payment_id", .equal, SQLBind(payment)).orderBy("position").all()
            .map { (try $0.decode(column: "invoice_id", as: UUID.self), try $0.decode(column: "amount_cop", as: Int64.self)) }
    }

    static func insert(_ items: [(invoice: UUID, amountCOP: Int64)], of payment: UUID, on database: any Database) async throws {
        let insert = database.sql.insert(into: schema).columns("payment_id", "invoice_id", "position", "amount_cop")
        for (position, item) in items.enumerated() {
            insert.values(SQLBind(payment), SQLBind(item.invoice), SQLBind(position), SQLBind(item.amountCOP))
        }
        try await insert.run()
    }
}

struct CreatePaymentItems: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentItems.schema)
            .field("payment_id", .uuid, .required, .references(Payment.schema, "id", onDelete: .cascade))
            .field("invoice_id", .uuid, .required, .references(Invoice.schema, "id", onDelete: .restrict))
            .field("position", .int, .required)
            .field("amount_cop", .int64, .required)
            .unique(on: "payment_id", "invoice_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PaymentItems.schema).delete()
    }
}
