import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit

/// Payment agreements: who may have one, the plans offered, the acceptance (with its proof and
/// the down payment's coupon, in one transaction), the activation when the down payment is paid
/// (in the payment's transaction), the cancellation by an agent, and the instalments to bill.
struct AgreementService {
    let database: any Database
    let clock: AppClock
    let policy: AgreementPolicy?
    let coupons: CouponPolicy?

    enum Failure: Error, Equatable {
        /// No agreement policy, or no coupon rules for the down payment.
        case unavailable
        case contractNotFound
        case ineligible(AgreementPolicy.Ineligible)
        case instalments
        case name
        /// What the contract owes changed between the page and the acceptance.
        case changed
    }

    /// What a contract owes now, how much of it is overdue, and the agreement it has in force.
    struct Debt {
        let contract: Contract
        let balance: Int64
        let overdue: Int64
        let inForce: PaymentAgreement?
        /// The agreement in force's state today (pending or active).
        var inForceStatus: PaymentAgreement.Status?
    }

    func debt(_ contract: Contract, on database: any Database) async throws -> Debt {
        let id = try contract.requireID()
        let today = clock.today
        let bills = try await Invoice.query(on: database).filter(\.$contract.$id == id).all()
        let overdue = bills.filter { $0.standing(today: today).status == .overdue }.reduce(0) { $0 + $1.balanceCOP }
        var inForce: (PaymentAgreement, PaymentAgreement.Status)?
        for agreement in try await PaymentAgreement.query(on: database).filter(\.$contract.$id == id)
            .filter(\.$status ~~ [PaymentAgreement.Status.pending.rawValue, PaymentAgreement.Status.active.rawValue]).all() {
            let state = try await agreement.standing(today: today, on: database)
            if state != .expired { inForce = (agreement, state) }
        }
        return Debt(contract: contract, balance: bills.reduce(0) { $0 + $1.balanceCOP }, overdue: overdue, inForce: inForce?.0, inForceStatus: inForce?.1)
    }

    struct Offer {
        let debt: Debt
        let plans: [AgreementPlan]
    }

    /// The plans a contract may choose from, or why it may not have one.
    func offer(contractNumber: String) async throws -> Offer {
        guard let policy, coupons != nil else { throw Failure.unavailable }
        guard let contract = try await ContractDirectory(database: database).contract(number: contractNumber) else { throw Failure.contractNotFound }
        let debt = try await debt(contract, on: database)
        if let problem = policy.eligibility(balance: debt.balance, overdue: debt.overdue, segment: contract.segmentValue,
                                            active: contract.status == ContractStatus.activo.rawValue, inForce: debt.inForce?.number) {
            throw Failure.ineligible(problem)
        }
        let choices = contract.segmentValue.map(policy.choices) ?? []
        return Offer(debt: debt, plans: choices.map { policy.plan(balance: debt.balance, instalments: $0) })
    }

    /// The text the customer accepts, whose SHA-256 the agreement keeps.
    static func terms(_ plan: AgreementPlan, contract: String) -> String {
        "Acepto financiar la deuda del contrato \(contract), de \(Money.format(cop: plan.balance)), con una cuota inicial de "
            + "\(Money.format(cop: plan.downPayment)) y \(plan.instalments) cuotas mensuales de \(Money.format(cop: plan.instalment)) "
            + "(interés del \(SpanishNumber.decimal(plan.monthlyRatePercent, places: 2)) % mensual, \(Money.format(cop: plan.totalInterest)) en total), "
            + "que llegarán en mis próximas facturas. El acuerdo empieza cuando pague la cuota inicial; si dejo de pagar las cuotas, "
            + "la empresa puede cancelarlo y la deuda que quede vuelve a ser exigible."
    }

    struct Acceptance {
        let contractNumber: String
        let instalments: Int
        let name: String
        let phone: String
        let channel: String
        let client: String
    }

    /// Records the agreement, its proof and the down payment's coupon in one transaction; with
    /// no down payment it is active at once. Two acceptances at once: one wins, the other is
    /// refused as «ya tiene un acuerdo».
    func accept(_ acceptance: Acceptance) async throws -> PaymentAgreement {
        let offer = try await offer(contractNumber: acceptance.contractNumber)
        guard let plan = offer.plans.first(where: { $0.instalments == acceptance.instalments }) else { throw Failure.instalments }
        let contract = offer.debt.contract
        guard PersonName.matches(acceptance.name, holder: contract.holderName) else { throw Failure.name }
        let now = clock.now()
        let today = clock.today
        do {
            return try await database.writeTransaction { tx in
                // Read again inside the transaction: what was owed a moment ago may have changed.
                let debt = try await debt(contract, on: tx)
                if let number = debt.inForce?.number { throw Failure.ineligible(.inForce(number)) }
                guard debt.balance == plan.balance else { throw Failure.changed }
                try await tx.sql.update(PaymentAgreement.schema).set("status", to: SQLBind(PaymentAgreement.Status.expired.rawValue))
                    .where("contract_id", .equal, SQLBind(try contract.requireID()))
                    .where("status", .equal, SQLBind(PaymentAgreement.Status.pending.rawValue)).run()
                let sequence = try await YearSequence.next(in: "agreement_sequences", year: today.year, on: tx)
                let agreement = PaymentAgreement()
                agreement.number = "AP-\(today.year)-" + String(format: "%07d", sequence)
                agreement.token = SecureRandom.hex(16)
                agreement.$contract.id = try contract.requireID()
                agreement.status = PaymentAgreement.Status.pending.rawValue
                agreement.balanceCOP = plan.balance
                agreement.downPaymentCOP = plan.downPayment
                agreement.financedCOP = plan.financed
                agreement.instalments = plan.instalments
                agreement.instalmentCOP = plan.instalment
                agreement.monthlyRatePercent = plan.monthlyRatePercent
                agreement.plan = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
                agreement.acceptedName = acceptance.name
                agreement.acceptedPhone = acceptance.phone
                agreement.acceptedChannel = acceptance.channel
                agreement.acceptedClient = Hex.sha256("ema-acuerdo-cliente:" + acceptance.client)
                agreement.acceptedDigest = Hex.sha256(Self.terms(plan, contract: contract.contractNumber))
                agreement.acceptedAt = now
                if plan.downPayment > 0, let coupons {
                    let coupon = try await CouponService.insert(contract, amountCOP: plan.downPayment, validUntil: coupons.validUntil(today: today),
                                                                channel: acceptance.channel, key: "acuerdo-" + agreement.token, now: now, on: tx)
                    agreement.couponID = try coupon.requireID()
                }
                try await agreement.create(on: tx)
                if plan.downPayment == 0 { try await Self.activate(agreement, now: now, today: today, on: tx) }
                return agreement
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Failure.ineligible(.inForce(""))
        }
    }

    /// Activates the pending agreement whose down payment is `coupon`, in the payment's
    /// transaction: what is still owed, up to the financed amount, moves off the bills (oldest
    /// first) into the agreement; its first instalment is next month's bill.
    static func activate(paidCoupon coupon: UUID, now: Date, today: CivilDate, on tx: any Database) async throws {
        guard let agreement = try await PaymentAgreement.query(on: tx).filter(\.$couponID == coupon)
            .filter(\.$status == PaymentAgreement.Status.pending.rawValue).first() else { return }
        try await activate(agreement, now: now, today: today, on: tx)
    }

    static func activate(_ agreement: PaymentAgreement, now: Date, today: CivilDate, on tx: any Database) async throws {
        let id = try agreement.requireID()
        let moved = try await tx.sql.update(PaymentAgreement.schema)
            .set("status", to: SQLBind(PaymentAgreement.Status.active.rawValue))
            .set("activated_at", to: SQLBind(now))
            .set("first_period", to: SQLBind(BillingPeriod(containing: today).next.description))
            .where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(PaymentAgreement.Status.pending.rawValue))
            .returning("id").all()
        guard !moved.isEmpty else { return }
        var left = agreement.financedCOP
        for bill in try await Invoice.query(on: tx).filter(\.$contract.$id == agreement.$contract.id).sort(\.$period).all()
        where bill.balanceCOP > 0 && left > 0 {
            let part = min(left, bill.balanceCOP)
            left -= part
            try await tx.sql.update(Invoice.schema)
                .set(SQLIdentifier("financed_cop"), to: SQLBinaryExpression(SQLIdentifier("financed_cop"), .add, SQLBind(part)))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(try bill.requireID())).run()
            try await tx.sql.insert(into: AgreementItems.schema).columns("agreement_id", "invoice_id", "financed_cop")
                .values(SQLBind(id), SQLBind(try bill.requireID()), SQLBind(part)).run()
        }
    }

    /// Cancels an agreement (an agent, with a reason): what it financed is owed on the bills again.
    /// `also` runs in the same transaction (the audit line).
    func cancel(number: String, by staff: String, reason: String, also: @escaping @Sendable (any Database) async throws -> Void = { _ in }) async throws -> Bool {
        let now = clock.now()
        return try await database.writeTransaction { tx in
            guard let agreement = try await PaymentAgreement.query(on: tx).filter(\.$number == number).first() else { return false }
            let id = try agreement.requireID()
            let moved = try await tx.sql.update(PaymentAgreement.schema)
                .set("status", to: SQLBind(PaymentAgreement.Status.cancelled.rawValue))
                .set("cancelled_at", to: SQLBind(now)).set("cancelled_by", to: SQLBind(staff)).set("cancel_reason", to: SQLBind(reason))
                .where("id", .equal, SQLBind(id))
                .where("status", .in, SQLGroupExpression([SQLBind(PaymentAgreement.Status.pending.rawValue), SQLBind(PaymentAgreement.Status.active.rawValue)]))
                .returning("id").all()
            guard !moved.isEmpty else { return false }
            for row in try await tx.sql.select().columns("invoice_id", "financed_cop").from(AgreementItems.schema)
                .where("agreement_id", .equal, SQLBind(id)).all() {
                try await tx.sql.update(Invoice.schema)
                    .set(SQLIdentifier("financed_cop"), to: SQLBinaryExpression(SQLIdentifier("financed_cop"), .subtract,
                                                                                SQLBind(try row.decode(column: "financed_cop", as: Int64.self))))
                    .set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(try row.decode(column: "invoice_id", as: UUID.self))).run()
            }
            try await also(tx)
            return true
        }
    }
}

extension PaymentAgreement {
    /// The instalment of `period` (1-based number and row), when this active agreement bills one then.
    func instalment(in period: BillingPeriod) -> (number: Int, row: AgreementPlan.Row)? {
        guard let first = firstPeriod.flatMap(BillingPeriod.init), let plan = decodedPlan else { return nil }
        let index = (period.year - first.year) * 12 + period.month - first.month
        guard plan.rows.indices.contains(index) else { return nil }
        return (index + 1, plan.rows[index])
    }
}
