import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// `ema invoices close --period P`: applies the failed-delivery policy to the period's deliveries.
struct CloseService {
    let database: any Database
    let clock: AppClock
    /// Tells a holder their enrollment was deactivated.
    let sms: any SMSSender
    let logger: Logger
    /// The utility's short name, for the SMS.
    let utilityName: String
    var policy = FailedDeliveryPolicy()

    struct Summary: Equatable {
        var delivered = 0
        var failed = 0
        var markedUndeliverable = 0
        var paperNextPeriod = 0
        var deactivated = 0
    }

    /// Closes the period; deliveries already counted by an earlier close are left alone.
    func close(period: BillingPeriod) async throws -> Summary {
        let deliveries = try await Delivery.query(on: database)
            .filter(\.$period == period.description).filter(\.$closed == false)
            .with(\.$enrollment).with(\.$invoice) { $0.with(\.$contract) }.all()
        var summary = Summary()
        let now = clock.now()
        // A contract goes on paper only if none of its deliveries reached a phone.
        var contracts: [UUID: Contract] = [:]
        var reached: [UUID: Bool] = [:]
        var outcomes: [(Delivery, DeliveryStatus)] = []
        for delivery in deliveries {
            let current = DeliveryStatus(rawValue: delivery.status) ?? .queued
            let (final, cause) = FailedDeliveryPolicy.closingStatus(current)
            if final != current {
                delivery.status = final.rawValue
                delivery.failureCause = cause?.rawValue
                summary.markedUndeliverable += 1
            }
            let contractID = delivery.invoice.$contract.id
            contracts[contractID] = delivery.invoice.contract
            reached[contractID] = (reached[contractID] ?? false) || final != .failed
            outcomes.append((delivery, final))
        }
        for (delivery, final) in outcomes {
            let delivered = final != .failed
            if delivered { summary.delivered += 1 } else { summary.failed += 1 }
            let enrollment = delivery.enrollment
            let decision = policy.decide(previousFailures: enrollment.consecutiveFailedPeriods, delivered: delivered)
            let deactivating = decision.deactivate && enrollment.status == Enrollment.Status.active.rawValue
            try await database.writeTransaction { transaction in
                enrollment.consecutiveFailedPeriods = decision.consecutiveFailures
                enrollment.updatedAt = now
                if deactivating {
                    enrollment.status = Enrollment.Status.deactivated.rawValue
                    enrollment.endedAt = now
                    enrollment.endReason = "\(policy.periodsBeforeDeactivation) periodos seguidos sin entrega por WhatsApp"
                }
                try await enrollment.save(on: transaction)
                delivery.closed = true
                delivery.updatedAt = now
                try await delivery.save(on: transaction)
            }
            if deactivating {
                summary.deactivated += 1
                await notifyDeactivation(enrollment, contractNumber: delivery.invoice.contract.contractNumber)
            }
        }
        for (contractID, any) in reached {
            if let contract = contracts[contractID], contract.paperInvoice == any {
                contract.paperInvoice = !any
                try await contract.save(on: database)
            }
            guard !any else { continue }
            let inserted = try await database.sql.insert(into: PaperBill.schema)
                .columns("id", "contract_id", "period", "reason", "created_at")
                .values(SQLBind(UUID()), SQLBind(contractID), SQLBind(period.next.description),
                        SQLBind("sin entrega por WhatsApp en \(period)"), SQLBind(now))
                .ignoringConflicts(with: ["contract_id", "period"]).returning("id").all()
            summary.paperNextPeriod += inserted.count
        }
        return summary
    }

    /// Tells the holder by SMS; a failed SMS is logged, the deactivation stands.
    private func notifyDeactivation(_ enrollment: Enrollment, contractNumber: String) async {
        let name = utilityName
        let text = "\(name): no pudimos entregarte por WhatsApp la factura del contrato \(contractNumber) durante 3 periodos seguidos, así que desactivamos ese envío. Seguirás recibiéndola impresa. Puedes inscribirte de nuevo con Ema cuando quieras."
        do {
            _ = try await sms.send(to: enrollment.phone, body: text)
        } catch {
            logger.warning("No se pudo avisar la desactivación por SMS", metadata: ["to": .string(Masking.phone(enrollment.phone)), "error": .string("\(error)")])
        }
    }
}

extension Application {
    func closeService() -> CloseService {
        CloseService(database: db, clock: clock, sms: sms, logger: logger, utilityName: utilityProfile?.shortName ?? "Ema")
    }
}
