import EmaCore
import Fluent
import Foundation
import SQLKit

/// A payment agreement («acuerdo de pago»): a contract's debt in monthly instalments after a down
/// payment. `pendiente` until the down payment's coupon is paid (then `activo`, in the payment's
/// own transaction); `cancelado` by an agent; a pending one whose coupon expired is `vencido`.
/// The plan, the acceptance's proof and who cancelled it and why are kept with it.
final class PaymentAgreement: Model, @unchecked Sendable {
    static let schema = "payment_agreements"

    @ID(key: .id) var id: UUID?
    /// `AP-2026-0000001`: what the customer and the agents call it.
    @Field(key: "number") var number: String
    /// The unguessable part of its page's address (`/factura/acuerdo/{token}`).
    @Field(key: "token") var token: String
    @Parent(key: "contract_id") var contract: Contract
    @Field(key: "status") var status: String
    @Field(key: "balance_cop") var balanceCOP: Int64
    @Field(key: "down_payment_cop") var downPaymentCOP: Int64
    @Field(key: "financed_cop") var financedCOP: Int64
    @Field(key: "instalments") var instalments: Int
    @Field(key: "instalment_cop") var instalmentCOP: Int64
    @Field(key: "monthly_rate_percent") var monthlyRatePercent: Double
    /// The plan's rows, as JSON (`AgreementPlan`).
    @Field(key: "plan") var plan: String
    /// The down payment's coupon (none when the policy asks for no down payment).
    @OptionalField(key: "coupon_id") var couponID: UUID?
    /// The period of the first instalment (`YYYY-MM`), set when it becomes active.
    @OptionalField(key: "first_period") var firstPeriod: String?
    // The acceptance's proof: who said yes, on which channel, to which text (its SHA-256).
    @Field(key: "accepted_name") var acceptedName: String
    @Field(key: "accepted_phone") var acceptedPhone: String
    @Field(key: "accepted_channel") var acceptedChannel: String
    @Field(key: "accepted_client") var acceptedClient: String
    @Field(key: "accepted_digest") var acceptedDigest: String
    @Field(key: "accepted_at") var acceptedAt: Date
    @OptionalField(key: "activated_at") var activatedAt: Date?
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    @OptionalField(key: "cancelled_by") var cancelledBy: String?
    @OptionalField(key: "cancel_reason") var cancelReason: String?

    init() {}

    enum Status: String, CaseIterable {
        case pending = "pendiente", active = "activo", cancelled = "cancelado", expired = "vencido"

        var title: String {
            switch self {
            case .pending: "Pendiente de la cuota inicial"
            case .active: "Activo"
            case .cancelled: "Cancelado"
            case .expired: "Vencido (no se pagó la cuota inicial)"
            }
        }
    }

    /// Its status today: a pending agreement whose down-payment coupon expired has lapsed.
    func standing(couponValidUntil: String?, today: CivilDate) -> Status {
        let stored = Status(rawValue: status) ?? .pending
        if stored == .pending, let last = couponValidUntil.flatMap(CivilDate.init), last < today { return .expired }
        return stored
    }

    /// `standing`, reading the down payment's coupon.
    func standing(today: CivilDate, on database: any Database) async throws -> Status {
        var last: String?
        if let coupon = couponID { last = try await PaymentCoupon.find(coupon, on: database)?.validUntil }
        return standing(couponValidUntil: last, today: today)
    }

    var decodedPlan: AgreementPlan? { try? JSONDecoder().decode(AgreementPlan.self, from: Data(plan.utf8)) }
}

/// What an active agreement took of each bill (given back if it is cancelled).
enum AgreementItems {
    static let schema = "agreement_items"
}

struct CreatePaymentAgreements: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentAgreement.schema)
            .id()
            .field("number", .string, .required)
            .field("token", .string, .required)
            .field("contract_id", .uuid, .required, .references(Contract.schema, "id", onDelete: .restrict))
            .field("status", .string, .required)
            .field("balance_cop", .int64, .required)
            .field("down_payment_cop", .int64, .required)
            .field("financed_cop", .int64, .required)
            .field("instalments", .int, .required)
            .field("instalment_cop", .int64, .required)
            .field("monthly_rate_percent", .double, .required)
            .field("plan", .string, .required)
            .field("coupon_id", .uuid, .references(PaymentCoupon.schema, "id", onDelete: .restrict))
            .field("first_period", .string)
            .field("accepted_name", .string, .required)
            .field("accepted_phone", .string, .required)
            .field("accepted_channel", .string, .required)
            .field("accepted_client", .string, .required)
            .field("accepted_digest", .string, .required)
            .field("accepted_at", .datetime, .required)
            .field("activated_at", .datetime)
            .field("cancelled_at", .datetime)
            .field("cancelled_by", .string)
            .field("cancel_reason", .string)
            .unique(on: "number")
            .unique(on: "token")
            .create()
        let sql = database.sql
        try await sql.create(index: "payment_agreements_contract").on(PaymentAgreement.schema).column("contract_id").run()
        try await sql.create(index: "payment_agreements_coupon").on(PaymentAgreement.schema).column("coupon_id").run()
        // One agreement in force per contract, even when two acceptances race.
        try await sql.raw("CREATE UNIQUE INDEX payment_agreements_in_force ON payment_agreements (contract_id) WHERE status IN ('pendiente', 'activo')").run()
        try await database.schema(AgreementItems.schema)
            .field("agreement_id", .uuid, .required, .references(PaymentAgreement.schema, "id", onDelete: .cascade))
            .field("invoice_id", .uuid, .required, .references(Invoice.schema, "id", onDelete: .restrict))
            .field("financed_cop", .int64, .required)
            .unique(on: "agreement_id", "invoice_id")
            .create()
        try await sql.raw("CREATE TABLE agreement_sequences (year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE agreement_sequences").run()
        try await database.schema(AgreementItems.schema).delete()
        try await database.schema(PaymentAgreement.schema).delete()
    }
}
