import EmaCore
import Fluent
import Foundation
import SQLKit

/// «Pagar todo»: one attempt for every open bill of a contract, oldest first, for the sum of their
/// balances. The attempt and its items commit together; applied, each bill gets its part in the
/// settlement's one transaction (`settle`), so paying all is as exactly-once as paying one.
extension PaymentService {
    /// The attempt for this form submission: the existing one for the same key, a recent pending
    /// one for the same bills and amounts, or a new one. One open bill: the ordinary attempt.
    func startAll(contract: Contract, idempotencyKey key: String, now: Date) async throws -> Payment {
        try Self.check(key)
        let open = try await Invoice.query(on: database).filter(\.$contract.$id == contract.requireID())
            .sort(\.$period).all().filter { $0.balanceCOP > 0 }
        guard let first = open.first else { throw PaymentError.alreadyPaid }
        if open.count == 1 { return try await start(invoice: first, idempotencyKey: key, now: now) }
        let firstID = try first.requireID()
        if let same = try await Payment.query(on: database).filter(\.$invoice.$id == firstID).filter(\.$idempotencyKey == key).first() {
            return same
        }
        let items = try open.map { (invoice: try $0.requireID(), amountCOP: $0.balanceCOP) }
        let total = items.reduce(0) { $0 + $1.amountCOP }
        // Two tabs, a back button: the same bills and amounts pending a moment ago are that attempt.
        for recent in try await Payment.query(on: database).filter(\.$invoice.$id == firstID)
            .filter(\.$status == PaymentStatus.pending.rawValue).filter(\.$gateway == gateway.name).filter(\.$amountCOP == total)
            .filter(\.$createdAt > now.addingTimeInterval(-Self.reuseWindow)).sort(\.$createdAt, .descending).all() {
            let theirs = try await PaymentItems.of(recent.requireID(), on: database)
            if theirs.map(\.invoice) == items.map(\.invoice), theirs.map(\.amountCOP) == items.map(\.amountCOP) { return recent }
        }
        let id = UUID()
        let inserted = try await database.writeTransaction { [gateway] tx -> Bool in
            let made = try await tx.sql.insert(into: Payment.schema)
                .columns("id", "reference", "invoice_id", "idempotency_key", "amount_cop", "gateway", "status", "created_at", "updated_at")
                .values(SQLBind(id), SQLBind(Self.newReference()), SQLBind(firstID), SQLBind(key), SQLBind(total),
                        SQLBind(gateway.name), SQLBind(PaymentStatus.pending.rawValue), SQLBind(now), SQLBind(now))
                .ignoringConflicts(with: ["invoice_id", "idempotency_key"])
                .returning("id").all()
            guard !made.isEmpty else { return false }
            try await PaymentItems.insert(items, of: id, on: tx)
            return true
        }
        guard let payment = try await Payment.query(on: database).filter(\.$invoice.$id == firstID).filter(\.$idempotencyKey == key).first() else {
            throw PaymentError.paymentNotFound
        }
        if inserted {
            logger.info("Intento de pago de varias facturas creado", metadata: ["referencia": .string(payment.reference), "facturas": "\(items.count)"])
        }
        return payment
    }

    /// Credits an approved attempt: its bills by their items, or its one bill by its amount; a
    /// coupon's amount is spread now over the contract's open bills, oldest first (and kept as
    /// the attempt's items, for the receipt). A bill is paid (`paid_at`) when its balance reaches 0.
    func credit(_ payment: Payment, now: Date, on tx: any Database) async throws {
        let id = try payment.requireID()
        var parts = try await PaymentItems.of(id, on: tx)
        if let coupon = payment.couponID, parts.isEmpty {
            parts = try await spread(payment, coupon: coupon, on: tx)
            try await PaymentItems.insert(parts, of: id, on: tx)
            try await tx.sql.update(PaymentCoupon.schema).set("paid_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(coupon)).where("paid_at", .is, SQLLiteral.null).run()
        }
        if parts.isEmpty { parts = [(invoice: payment.$invoice.id, amountCOP: payment.amountCOP)] }
        for part in parts {
            try await tx.sql.update(Invoice.schema)
                .set(SQLIdentifier("paid_cop"), to: SQLBinaryExpression(SQLIdentifier("paid_cop"), .add, SQLBind(part.amountCOP)))
                .set("paid_at", to: SQLQueryString("CASE WHEN paid_cop + financed_cop + \(bind: part.amountCOP) >= amount_cop THEN \(bind: now) ELSE paid_at END"))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(part.invoice))
                .run()
        }
        // A payment agreement's down payment: the agreement starts with it, in this transaction.
        if let coupon = payment.couponID {
            try await AgreementService.activate(paidCoupon: coupon, now: now, today: CivilDate(bogotaAt: now.timeIntervalSince1970), on: tx)
        }
    }

    /// A coupon's amount over the contract's open bills as they stand when it is applied, oldest
    /// first. If other payments lowered the balance meanwhile, what is left over is credited to
    /// the newest bill (a balance in the customer's favour): money received is never dropped.
    func spread(_ payment: Payment, coupon: UUID, on tx: any Database) async throws -> [(invoice: UUID, amountCOP: Int64)] {
        guard let owner = try await PaymentCoupon.find(coupon, on: tx) else { return [] }
        let bills = try await Invoice.query(on: tx).filter(\.$contract.$id == owner.$contract.id).sort(\.$period).all()
        var left = payment.amountCOP
        var parts: [(invoice: UUID, amountCOP: Int64)] = []
        for bill in bills where bill.balanceCOP > 0 && left > 0 {
            let part = min(left, bill.balanceCOP)
            parts.append((try bill.requireID(), part))
            left -= part
        }
        if left > 0 {
            let newest = try bills.last?.requireID() ?? payment.$invoice.id
            if let index = parts.firstIndex(where: { $0.invoice == newest }) {
                parts[index].amountCOP += left
            } else {
                parts.append((newest, left))
            }
            logger.warning("Un cupón pagado superó el saldo del momento; el excedente quedó a favor del cliente", metadata: ["referencia": .string(payment.reference)])
        }
        return parts
    }
}
