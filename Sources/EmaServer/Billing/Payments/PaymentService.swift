import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Paying a bill: an attempt per "pay" form (a double submit is the same attempt), and what a
/// gateway reports applied once — the bill's balance changes in the same transaction as the
/// attempt's final state, and only an attempt still pending can reach one.
struct PaymentService {
    let database: any Database
    let gateway: any PaymentGateway
    let logger: Logger

    /// A pending attempt younger than this is offered again instead of opening a second one, so
    /// two tabs or a back button do not lead to paying the same bill twice.
    static let reuseWindow: TimeInterval = 30 * 60

    enum KeyProblem: Error { case invalid }

    /// The attempt for this form submission: the existing one for the same key, a recent
    /// pending one of the same bill, or a new one for the bill's whole balance.
    func start(invoice: Invoice, idempotencyKey key: String, now: Date) async throws -> Payment {
        try Self.check(key)
        let invoiceID = try invoice.requireID()
        if let same = try await Payment.query(on: database).filter(\.$invoice.$id == invoiceID).filter(\.$idempotencyKey == key).first() {
            return same
        }
        let balance = invoice.balanceCOP
        guard balance > 0 else { throw PaymentError.alreadyPaid }
        if let recent = try await Payment.query(on: database)
            .filter(\.$invoice.$id == invoiceID)
            .filter(\.$status == PaymentStatus.pending.rawValue)
            .filter(\.$gateway == gateway.name)
            .filter(\.$amountCOP == balance)
            .filter(\.$createdAt > now.addingTimeInterval(-Self.reuseWindow))
            .sort(\.$createdAt, .descending)
            .first() {
            return recent
        }
        try await database.sql.insert(into: Payment.schema)
            .columns("id", "reference", "invoice_id", "idempotency_key", "amount_cop", "gateway", "status", "created_at", "updated_at")
            .values(
                SQLBind(UUID()), SQLBind(Self.newReference()), SQLBind(invoiceID), SQLBind(key), SQLBind(balance),
                SQLBind(gateway.name), SQLBind(PaymentStatus.pending.rawValue), SQLBind(now), SQLBind(now)
            )
            .ignoringConflicts(with: ["invoice_id", "idempotency_key"])
            .run()
        guard let payment = try await Payment.query(on: database).filter(\.$invoice.$id == invoiceID).filter(\.$idempotencyKey == key).first() else {
            throw PaymentError.paymentNotFound
        }
        logger.info("Intento de pago creado", metadata: ["referencia": .string(payment.reference), "pasarela": .string(gateway.name)])
        return payment
    }

    /// A form's attempt key: 16 to 64 letters, digits, «-» or «_».
    static func check(_ key: String) throws {
        guard (16...64).contains(key.count), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw KeyProblem.invalid
        }
    }

    /// `EMA` and 20 random hex digits: unique per attempt, as gateways require.
    static func newReference() -> String {
        "EMA" + SecureRandom.hex(10).uppercased()
    }

    enum Settlement: Equatable {
        /// The attempt reached this final state now (approved: the bill was credited).
        case settled(PaymentStatus)
        /// Nothing changed: still pending, or it had already reached a final state.
        case unchanged(PaymentStatus)
        /// The gateway's amount or currency differs from the attempt's: not applied.
        case mismatch
        /// No attempt has this reference at this gateway.
        case unknownReference
    }

    /// Applies what the gateway says about a transaction. Safe to call any number of times,
    /// from the webhook, the return page and the sandbox, in any order and at once.
    @discardableResult
    func settle(_ transaction: GatewayTransaction, now: Date) async throws -> Settlement {
        guard let payment = try await Payment.query(on: database)
            .filter(\.$reference == transaction.reference)
            .filter(\.$gateway == gateway.name)
            .first()
        else {
            logger.warning("Transacción con una referencia desconocida", metadata: ["pasarela": .string(gateway.name)])
            return .unknownReference
        }
        let id = try payment.requireID()
        let sql = database.sql
        guard transaction.currency == "COP", transaction.amountInCents == Cents.from(cop: payment.amountCOP) else {
            try await sql.update(Payment.schema)
                .set("status", to: SQLBind(PaymentStatus.error.rawValue))
                .set("problem", to: SQLBind("amount_mismatch"))
                .set("gateway_transaction_id", to: SQLBind(transaction.id))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id))
                .where("status", .equal, SQLBind(PaymentStatus.pending.rawValue))
                .run()
            logger.error("El valor o la moneda de la transacción no coinciden con el intento de pago; no se aplicó", metadata: ["referencia": .string(payment.reference)])
            return .mismatch
        }
        guard transaction.status.isFinal else {
            try await sql.update(Payment.schema)
                .set("gateway_transaction_id", to: SQLBind(transaction.id))
                .set("method", to: SQLBind(transaction.method))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id))
                .where("status", .equal, SQLBind(PaymentStatus.pending.rawValue))
                .run()
            return .unchanged(payment.paymentStatus)
        }
        let moved = try await database.writeTransaction { tx -> Bool in
            let sql = tx.sql
            let rows = try await sql.update(Payment.schema)
                .set("status", to: SQLBind(transaction.status.rawValue))
                .set("gateway_transaction_id", to: SQLBind(transaction.id))
                .set("method", to: SQLBind(transaction.method))
                .set("settled_at", to: SQLBind(now))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id))
                .where("status", .equal, SQLBind(PaymentStatus.pending.rawValue))
                .returning("id")
                .all()
            guard !rows.isEmpty else { return false }
            if transaction.status == .approved { try await credit(payment, now: now, on: tx) }
            return true
        }
        guard moved else {
            let current = try await Payment.find(id, on: database)?.paymentStatus ?? payment.paymentStatus
            return .unchanged(current)
        }
        logger.info("Pago \(transaction.status == .approved ? "aplicado" : "terminado sin aplicar")", metadata: [
            "referencia": .string(payment.reference), "estado": .string(transaction.status.rawValue),
        ])
        return .settled(transaction.status)
    }
}

/// Every few minutes, asks the gateway again about attempts still pending whose transaction is
/// known (a PSE payment the bank had not confirmed, an event that never arrived), as Wompi
/// recommends: no payment method answers synchronously.
enum ReconcilePaymentsJob {
    static let kind = "billing.reconcile_payments"
    static let interval: TimeInterval = 5 * 60

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        guard let gateway = context.application.paymentGateway else { return }
        let now = context.clock.now()
        let pending = try await Payment.query(on: context.database)
            .filter(\.$status == PaymentStatus.pending.rawValue)
            .filter(\.$gateway == gateway.name)
            .filter(\.$gatewayTransactionID != nil)
            .filter(\.$updatedAt < now.addingTimeInterval(-120))
            .filter(\.$createdAt > now.addingTimeInterval(-7 * 86_400))
            .limit(500)
            .all()
        let service = PaymentService(database: context.database, gateway: gateway, logger: context.logger)
        var settled = 0
        for payment in pending {
            guard let id = payment.gatewayTransactionID,
                  let transaction = try await gateway.transaction(id: id, client: context.application.client, database: context.database),
                  transaction.reference == payment.reference
            else { continue }
            if case .settled = try await service.settle(transaction, now: now) { settled += 1 }
        }
        if !pending.isEmpty {
            context.logger.info("Pagos pendientes consultados de nuevo", metadata: ["consultados": "\(pending.count)", "terminados": "\(settled)"])
        }
    }
}
