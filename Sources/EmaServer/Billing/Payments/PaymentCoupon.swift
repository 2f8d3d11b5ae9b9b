import EmaCore
import Fluent
import Foundation
import SQLKit

/// A payment coupon: an amount of a contract's balance (all of it, or a part — an «abono»), to
/// pay until a date, at a bank with its barcode or online with its page. `reference` is the
/// contract's 12 digits and 8 random ones (20 digits, never a bill's 18), what `(8020)` carries.
/// Paid online, the payment credits the contract's open bills oldest first (`PaymentService.credit`).
final class PaymentCoupon: Model, @unchecked Sendable {
    static let schema = "payment_coupons"

    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Parent(key: "contract_id") var contract: Contract
    @Field(key: "amount_cop") var amountCOP: Int64
    /// The last day to pay it, `YYYY-MM-DD` (Bogotá).
    @Field(key: "valid_until") var validUntil: String
    /// Where it was made, for the indicators: `factura_web` (the page), or Ema's channel
    /// (`web`, `kiosk`, `whatsapp`).
    @Field(key: "channel") var channel: String
    /// A form's submission key (a double click makes one coupon).
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "paid_at") var paidAt: Date?

    init() {}

    enum Standing: String { case valid = "vigente", paid = "pagado", expired = "vencido" }

    func standing(today: CivilDate) -> Standing {
        if paidAt != nil { return .paid }
        if let last = CivilDate(validUntil), last < today { return .expired }
        return .valid
    }

    /// The barcode's elements: collector, reference, amount (10 digits) and last day to pay.
    func barcode(collectorGLN: String) -> [GS1128.Element] {
        let amount = String(amountCOP)
        return [
            GS1128.Element("415", collectorGLN),
            GS1128.Element("8020", reference),
            GS1128.Element("3900", String(repeating: "0", count: max(0, 10 - amount.count)) + amount),
            GS1128.Element("96", validUntil.filter(\.isNumber)),
        ]
    }
}

struct CreatePaymentCoupons: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentCoupon.schema)
            .id()
            .field("reference", .string, .required)
            .field("contract_id", .uuid, .required, .references(Contract.schema, "id", onDelete: .restrict))
            .field("amount_cop", .int64, .required)
            .field("valid_until", .string, .required)
            .field("channel", .string, .required)
            .field("idempotency_key", .string, .required)
            .field("created_at", .datetime, .required)
            .field("paid_at", .datetime)
            .unique(on: "reference")
            .unique(on: "contract_id", "idempotency_key")
            .create()
        try await database.schema(Payment.schema).field("coupon_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Payment.schema).deleteField("coupon_id").update()
        try await database.schema(PaymentCoupon.schema).delete()
    }
}

/// Making coupons: the amount checked against the utility's rules and the balance of the moment,
/// one coupon per form submission, at most 20 a day per contract (each one is a row and a PDF).
struct CouponService {
    let database: any Database
    let clock: AppClock
    let policy: CouponPolicy?
    let limits: RateLimiter

    static let perContract = RateLimit("cupones.contrato", limit: 20, window: 86_400)

    enum Outcome {
        /// The coupon, its contract, and what the contract owed when it was made.
        case made(PaymentCoupon, Contract, balance: Int64)
        case refused(CouponPolicy.Problem)
    }

    enum Failure: Error { case unavailable, contractNotFound, tooMany(Int) }

    /// What the contract owes now: the sum of its open bills' balances.
    static func balance(of contract: UUID, on database: any Database) async throws -> Int64 {
        try await Invoice.query(on: database).filter(\.$contract.$id == contract).all()
            .reduce(0) { $0 + $1.balanceCOP }
    }

    /// A coupon for `amountCOP` (nil: the whole balance).
    func make(contractNumber: String, amountCOP: Int64?, channel: String, key: String) async throws -> Outcome {
        guard let policy else { throw Failure.unavailable }
        try PaymentService.check(key)
        guard let contract = try await ContractDirectory(database: database).contract(number: contractNumber) else { throw Failure.contractNotFound }
        let contractID = try contract.requireID()
        let balance = try await Self.balance(of: contractID, on: database)
        if let same = try await PaymentCoupon.query(on: database).filter(\.$contract.$id == contractID).filter(\.$idempotencyKey == key).first() {
            return .made(same, contract, balance: balance)
        }
        let amount = amountCOP ?? balance
        if let problem = policy.check(amount: amount, balance: balance) { return .refused(problem) }
        if let wait = try await limits.take(Self.perContract, contractNumber) { throw Failure.tooMany(wait) }
        let made = try await Self.insert(contract, amountCOP: amount, validUntil: policy.validUntil(today: clock.today), channel: channel, key: key,
                                         now: clock.now(), on: database)
        return .made(made, contract, balance: balance)
    }

    /// Stores a coupon (the one of `key`, if it exists already), with a fresh reference.
    static func insert(_ contract: Contract, amountCOP: Int64, validUntil: CivilDate, channel: String, key: String, now: Date,
                       on database: any Database) async throws -> PaymentCoupon {
        let contractID = try contract.requireID()
        let number = contract.contractNumber
        for _ in 0..<3 {
            let reference = String(repeating: "0", count: max(0, 12 - number.count)) + number + SecureRandom.digits(8)
            try await database.sql.insert(into: PaymentCoupon.schema)
                .columns("id", "reference", "contract_id", "amount_cop", "valid_until", "channel", "idempotency_key", "created_at")
                .values(SQLBind(UUID()), SQLBind(reference), SQLBind(contractID), SQLBind(amountCOP),
                        SQLBind(validUntil.description), SQLBind(channel), SQLBind(key), SQLBind(now))
                .ignoringConflicts()
                .run()
            if let made = try await PaymentCoupon.query(on: database).filter(\.$contract.$id == contractID).filter(\.$idempotencyKey == key).first() {
                return made
            }
        }
        throw Failure.unavailable
    }

    /// What a coupon pays, as its page and PDF say it: an agreement's down payment, a part of
    /// the balance, or all of it; and whether it is a part.
    static func kind(of coupon: PaymentCoupon, balance: Int64, on database: any Database) async throws -> (title: String, partial: Bool) {
        if let agreement = try await PaymentAgreement.query(on: database).filter(\.$couponID == coupon.requireID()).first() {
            return ("Cuota inicial del acuerdo de pago \(agreement.number)", false)
        }
        return coupon.paidAt == nil && coupon.amountCOP < balance ? ("Abono (una parte del saldo)", true) : ("Saldo total", false)
    }

    func find(reference: String) async throws -> PaymentCoupon? {
        guard reference.count == 20, reference.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return try await PaymentCoupon.query(on: database).filter(\.$reference == reference).with(\.$contract).first()
    }
}
