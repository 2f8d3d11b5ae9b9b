import EmaCore
import Fluent
import Foundation
import SQLKit

/// Paying a coupon online: one attempt for its amount, pinned to the contract's oldest open bill
/// (every attempt names a bill); applied, the amount is spread over the open bills (`credit`).
extension PaymentService {
    /// The attempt for this form submission: the existing one for the same key, a recent pending
    /// one of the same coupon, or a new one. A coupon paid, expired, or worth more than what the
    /// contract owes now is refused.
    func start(coupon: PaymentCoupon, idempotencyKey key: String, now: Date, today: CivilDate) async throws -> Payment {
        try Self.check(key)
        let couponID = try coupon.requireID()
        let mine = { Payment.query(on: database).filter(\.$couponID == couponID) }
        if let same = try await mine().filter(\.$idempotencyKey == key).first() { return same }
        switch coupon.standing(today: today) {
        case .paid: throw PaymentError.couponPaid
        case .expired: throw PaymentError.couponExpired
        case .valid: break
        }
        let open = try await Invoice.query(on: database).filter(\.$contract.$id == coupon.$contract.id).sort(\.$period).all()
            .filter { $0.balanceCOP > 0 }
        guard let oldest = open.first else { throw PaymentError.alreadyPaid }
        guard open.reduce(0, { $0 + $1.balanceCOP }) >= coupon.amountCOP else { throw PaymentError.couponStale }
        if let recent = try await mine().filter(\.$status == PaymentStatus.pending.rawValue).filter(\.$gateway == gateway.name)
            .filter(\.$createdAt > now.addingTimeInterval(-Self.reuseWindow)).sort(\.$createdAt, .descending).first() {
            return recent
        }
        try await database.sql.insert(into: Payment.schema)
            .columns("id", "reference", "invoice_id", "idempotency_key", "amount_cop", "gateway", "status", "created_at", "updated_at", "coupon_id")
            .values(SQLBind(UUID()), SQLBind(Self.newReference()), SQLBind(try oldest.requireID()), SQLBind(key), SQLBind(coupon.amountCOP),
                    SQLBind(gateway.name), SQLBind(PaymentStatus.pending.rawValue), SQLBind(now), SQLBind(now), SQLBind(couponID))
            .ignoringConflicts(with: ["invoice_id", "idempotency_key"])
            .run()
        guard let payment = try await mine().filter(\.$idempotencyKey == key).first() else { throw PaymentError.paymentNotFound }
        logger.info("Intento de pago de un cupón creado", metadata: ["referencia": .string(payment.reference)])
        return payment
    }
}
