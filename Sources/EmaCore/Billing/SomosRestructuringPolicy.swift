import Foundation

/// The SOMOS card's «restructuración / abono a diferidos» (seed 002): the holder spreads the
/// card's debt over a new number of monthly instalments, and may pay part of it first (the
/// «abono»), which lowers what is financed. The rules are the utility's (`somos.restructuring`
/// in `Resources/utility.json`); the arithmetic is the payment agreements' (`AgreementPlan`).
public struct SomosRestructuringPolicy: Sendable, Codable, Equatable {
    public let monthlyInterestPercent: Double
    /// The usury ceiling in force, effective annual: the rate may never be above it.
    public let usuryCeilingAnnualPercent: Double
    /// The instalment counts offered, e.g. `[6, 12, 18, 24, 36]`.
    public let instalments: [Int]
    /// The least debt worth restructuring.
    public let minimumBalanceCOP: Int64

    public init(monthlyInterestPercent: Double, usuryCeilingAnnualPercent: Double, instalments: [Int], minimumBalanceCOP: Int64) {
        self.monthlyInterestPercent = monthlyInterestPercent
        self.usuryCeilingAnnualPercent = usuryCeilingAnnualPercent
        self.instalments = instalments
        self.minimumBalanceCOP = minimumBalanceCOP
    }

    /// Why this policy cannot be used, or nil (checked at start-up).
    public var problem: String? {
        let ceiling = (pow(1 + usuryCeilingAnnualPercent / 100, 1.0 / 12) - 1) * 100
        if usuryCeilingAnnualPercent <= 0 || monthlyInterestPercent < 0 { return "somos.restructuring: las tasas deben ser positivas" }
        if monthlyInterestPercent > ceiling {
            return "somos.restructuring.monthlyInterestPercent (\(monthlyInterestPercent) % mensual) supera la tasa de usura (\(SpanishNumber.decimal(ceiling, places: 2)) % mensual)"
        }
        if instalments.isEmpty || instalments.contains(where: { !(2...60).contains($0) }) { return "somos.restructuring.instalments: entre 2 y 60 cuotas" }
        if minimumBalanceCOP < 1 { return "somos.restructuring.minimumBalanceCOP debe ser mayor que 0" }
        return nil
    }

    public enum Problem: Error, Sendable, Equatable {
        case belowMinimum(Int64)
        case abonoTooLarge(Int64)
        case unknownInstalments([Int])

        public var message: String {
            switch self {
            case .belowMinimum(let least): "La reestructuración es para deudas desde \(Money.format(cop: least)). Tu saldo lo puedes pagar con tu extracto o en los puntos de pago."
            case .abonoTooLarge(let balance): "El abono debe ser menor que tu deuda, \(Money.format(cop: balance)). Para pagarla toda no necesitas reestructurar."
            case .unknownInstalments(let choices): "Elige el número de cuotas: \(choices.map(String.init).joined(separator: ", "))."
            }
        }
    }

    /// The new plan for `balance`, after an abono of `abono`, in `count` instalments.
    public func plan(balance: Int64, abono: Int64, instalments count: Int) throws(Problem) -> AgreementPlan {
        guard balance >= minimumBalanceCOP else { throw .belowMinimum(minimumBalanceCOP) }
        guard abono >= 0, abono < balance else { throw .abonoTooLarge(balance) }
        guard instalments.contains(count) else { throw .unknownInstalments(instalments) }
        return AgreementPlan(balance: balance, downPayment: abono, instalments: count, monthlyRatePercent: monthlyInterestPercent)
    }

    /// The text the holder accepts (its SHA-256 is kept with the acceptance).
    public static func text(_ plan: AgreementPlan, last4: String, utility: String) -> String {
        var text = "Acepto reestructurar la deuda de mi tarjeta SOMOS terminada en \(last4) con \(utility): deuda de \(Money.format(cop: plan.balance))"
        if plan.downPayment > 0 { text += ", un abono a diferidos de \(Money.format(cop: plan.downPayment)) que pago primero" }
        text += " y \(plan.instalments) cuotas mensuales de \(Money.format(cop: plan.instalment)) con interés del \(SpanishNumber.decimal(plan.monthlyRatePercent, places: 2)) % mensual"
        text += " (intereses: \(Money.format(cop: plan.totalInterest)); total a pagar: \(Money.format(cop: plan.totalPaid)))."
        if plan.downPayment > 0 { text += " La reestructuración se activa cuando se registre el pago del abono." }
        return text
    }
}
