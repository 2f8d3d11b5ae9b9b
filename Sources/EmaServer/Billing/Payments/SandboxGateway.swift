import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The gateway of the demo and of tests without a real one: a page inside the app plays the
/// bank choice of PSE and lets the customer approve or decline. Its transactions live in
/// their own table, as a real gateway's live at the gateway.
struct SandboxGateway: PaymentGateway {
    var name: String { "sandbox" }

    func checkoutURL(reference: String, amountCOP: Int64, returnURL: String) -> String {
        "/pagos/sandbox/\(reference)"
    }

    func transaction(id: String, client: any Client, database: any Database) async throws -> GatewayTransaction? {
        guard let row = try await SandboxTransaction.query(on: database).filter(\.$transactionID == id).first() else { return nil }
        return row.gatewayTransaction
    }

    /// The banks the PSE page offers (a sample of PSE's list).
    static let banks = [
        "Bancolombia", "Banco de Bogotá", "Davivienda", "BBVA Colombia", "Banco de Occidente", "Banco Popular",
        "Banco AV Villas", "Banco Caja Social", "Scotiabank Colpatria", "Banco Agrario", "Nequi", "Daviplata",
    ]

    /// Decides the transaction of attempt `reference` once: a second decision (a double click,
    /// the back button) returns the first.
    static func decide(reference: String, amountCOP: Int64, approve: Bool, bank: String, database: any Database, now: Date) async throws -> GatewayTransaction {
        let sql = database.sql
        try await sql.insert(into: SandboxTransaction.schema)
            .columns("id", "transaction_id", "reference", "amount_in_cents", "status", "bank", "created_at")
            .values(
                SQLBind(UUID()), SQLBind("sbx-" + SecureRandom.hex(10)), SQLBind(reference), SQLBind(Cents.from(cop: amountCOP)),
                SQLBind(approve ? "APPROVED" : "DECLINED"), SQLBind(bank), SQLBind(now)
            )
            .ignoringConflicts(with: ["reference"])
            .run()
        guard let row = try await SandboxTransaction.query(on: database).filter(\.$reference == reference).first() else {
            throw PaymentError.paymentNotFound
        }
        return row.gatewayTransaction
    }
}

final class SandboxTransaction: Model, @unchecked Sendable {
    static let schema = "sandbox_payment_transactions"

    @ID(key: .id) var id: UUID?
    @Field(key: "transaction_id") var transactionID: String
    @Field(key: "reference") var reference: String
    @Field(key: "amount_in_cents") var amountInCents: Int64
    @Field(key: "status") var status: String
    @Field(key: "bank") var bank: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var gatewayTransaction: GatewayTransaction {
        GatewayTransaction(id: transactionID, reference: reference, amountInCents: amountInCents, currency: "COP",
                           status: WompiGateway.status(status), method: "PSE · \(bank)")
    }
}

struct CreateSandboxTransactions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SandboxTransaction.schema)
            .id()
            .field("transaction_id", .string, .required)
            .field("reference", .string, .required)
            .field("amount_in_cents", .int64, .required)
            .field("status", .string, .required)
            .field("bank", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "transaction_id")
            .unique(on: "reference")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SandboxTransaction.schema).delete()
    }
}
