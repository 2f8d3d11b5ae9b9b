import Foundation

/// What Ema can tell of a contract's payment agreements.
public enum AgreementOffer: Sendable, Equatable {
    /// The plans (one per number of instalments), and the page where the holder accepts one.
    case plans([AgreementPlan], overdue: Int64, url: String)
    /// Why the contract cannot have one (no overdue bills, one in force, limits…).
    case ineligible(String)
    /// The utility offers no agreements online.
    case unavailable
}

/// «Alternativas de pago» in the chat: the plans simulated for the contract (down payment, the
/// instalment for each number of months, the interest), and the page where the holder accepts
/// one — with an SMS code and the plan's text, which a chat message cannot carry as proof.
extension Turn {
    mutating func offerAgreement(_ contract: ContractBills, heading: String, effects: any AssistantEffects) async throws {
        switch try await effects.agreementOffer(contractNumber: contract.contractNumber) {
        case .plans(let plans, let overdue, let url):
            guard let first = plans.first else { break }
            let options = plans.map { "• \($0.instalments) cuotas de \(Money.format(cop: $0.instalment))" }.joined(separator: "\n")
            say("\(heading)\nDebes \(Money.format(cop: first.balance)), de los cuales \(Money.format(cop: overdue)) están vencidos. Puedes financiarlo con un acuerdo de pago: pagas hoy una cuota inicial de \(Money.format(cop: first.downPayment)) y el resto en cuotas mensuales que llegan en tus próximas facturas (interés del \(SpanishNumber.decimal(first.monthlyRatePercent, places: 2)) % mensual):\n\(options)\nEn la página ves la tabla de cada plan y, si eres el titular, lo aceptas con un código que te llega por mensaje de texto.")
            replies.append(.link(url: url, title: "Ver y aceptar un plan"))
        case .ineligible(let reason):
            say("\(heading)\n\(reason)")
        case .unavailable:
            say("\(heading)\n\(information(.alternativasPago))")
        }
        showBillMenu("¿Qué más necesitas de tu factura?")
    }
}
