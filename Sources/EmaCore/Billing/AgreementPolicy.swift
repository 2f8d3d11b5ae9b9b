import Foundation

/// The utility's payment-agreement policy («alternativas de pago»), from `Resources/utility.json`
/// (`agreements`): the down payment, the monthly interest (never above the usury ceiling, which
/// is a setting: the Superintendencia Financiera certifies it as an effective annual rate), the
/// most instalments per segment (a segment not listed cannot finance), and the balances that can.
public struct AgreementPolicy: Sendable, Codable, Equatable {
    /// Percent of the balance paid up front, 0–90.
    public let downPaymentPercent: Int
    /// Monthly interest, in percent (1.5 is 1,5 % a month).
    public let monthlyInterestPercent: Double
    /// The usury ceiling in force, effective annual, in percent.
    public let usuryCeilingAnnualPercent: Double
    /// The most instalments, by segment (`hogares`, `empresas`, …).
    public let maxInstalments: [String: Int]
    public let minimumBalanceCOP: Int64
    public let maximumBalanceCOP: Int64

    public init(downPaymentPercent: Int, monthlyInterestPercent: Double, usuryCeilingAnnualPercent: Double, maxInstalments: [String: Int],
                minimumBalanceCOP: Int64, maximumBalanceCOP: Int64) {
        self.downPaymentPercent = downPaymentPercent
        self.monthlyInterestPercent = monthlyInterestPercent
        self.usuryCeilingAnnualPercent = usuryCeilingAnnualPercent
        self.maxInstalments = maxInstalments
        self.minimumBalanceCOP = minimumBalanceCOP
        self.maximumBalanceCOP = maximumBalanceCOP
    }

    /// The usury ceiling as a monthly rate, in percent: (1 + EA)^(1/12) − 1.
    public var usuryCeilingMonthlyPercent: Double { (pow(1 + usuryCeilingAnnualPercent / 100, 1.0 / 12) - 1) * 100 }

    /// Why this policy cannot be used, or nil (checked at start-up: a rate above usury stops it).
    public var problem: String? {
        if !(0...90).contains(downPaymentPercent) { return "agreements.downPaymentPercent debe estar entre 0 y 90" }
        if monthlyInterestPercent < 0 { return "agreements.monthlyInterestPercent no puede ser negativo" }
        if usuryCeilingAnnualPercent <= 0 { return "agreements.usuryCeilingAnnualPercent debe ser la tasa de usura vigente (efectiva anual)" }
        if monthlyInterestPercent > usuryCeilingMonthlyPercent {
            return "agreements.monthlyInterestPercent (\(monthlyInterestPercent) % mensual) supera la tasa de usura (\(SpanishNumber.decimal(usuryCeilingMonthlyPercent, places: 2)) % mensual)"
        }
        if maxInstalments.isEmpty || maxInstalments.values.contains(where: { !(2...60).contains($0) }) {
            return "agreements.maxInstalments debe dar entre 2 y 60 cuotas a uno o más segmentos"
        }
        if let unknown = maxInstalments.keys.first(where: { Segment(rawValue: $0) == nil }) { return "agreements.maxInstalments: segmento desconocido «\(unknown)»" }
        if minimumBalanceCOP < 1 || maximumBalanceCOP < minimumBalanceCOP { return "agreements: el saldo mínimo debe ser positivo y no mayor que el máximo" }
        return nil
    }

    /// The instalment choices offered to a segment: a few steps up to its most.
    public func choices(for segment: Segment) -> [Int] {
        guard let most = maxInstalments[segment.rawValue] else { return [] }
        return [3, 6, 12, 18, 24, 36, 48, 60].filter { $0 < most } + [most]
    }

    public enum Ineligible: Error, Sendable, Equatable {
        case contractInactive
        case segment
        case nothingOverdue
        case inForce(String)
        case belowMinimum(Int64)
        case aboveMaximum(Int64)

        public var message: String {
            switch self {
            case .contractInactive: "Este contrato no está activo: no puede tener un acuerdo de pago. Te atendemos en cualquiera de nuestras oficinas."
            case .segment: "Los acuerdos de pago de este tipo de cliente se hacen con tu ejecutivo de cuenta o en una oficina."
            case .nothingOverdue: "Este contrato no tiene facturas vencidas: no necesitas un acuerdo de pago. Puedes pagar tu factura o hacer un abono cuando quieras."
            case .inForce(let number): "Este contrato ya tiene un acuerdo de pago en curso\(number.isEmpty ? "" : " (N.º \(number))"). Mientras esté vigente no se puede hacer otro."
            case .belowMinimum(let least): "Los acuerdos de pago son para deudas desde \(Money.format(cop: least)). Puedes pagar tu saldo en partes con cupones de abono."
            case .aboveMaximum(let most): "Tu deuda supera \(Money.format(cop: most)), el máximo que se puede financiar en línea. Te atendemos en una oficina para estudiar tu caso."
            }
        }
    }

    /// Whether a contract may finance `balance` (what it owes in all) with `overdue` of it past due.
    public func eligibility(balance: Int64, overdue: Int64, segment: Segment?, active: Bool, inForce: String?) -> Ineligible? {
        if !active { return .contractInactive }
        guard let segment, maxInstalments[segment.rawValue] != nil else { return .segment }
        if let inForce { return .inForce(inForce) }
        if overdue <= 0 { return .nothingOverdue }
        if balance < minimumBalanceCOP { return .belowMinimum(minimumBalanceCOP) }
        if balance > maximumBalanceCOP { return .aboveMaximum(maximumBalanceCOP) }
        return nil
    }

    /// The plan for `balance` in `instalments` monthly payments.
    public func plan(balance: Int64, instalments: Int) -> AgreementPlan {
        let down = (balance * Int64(downPaymentPercent) + 99) / 100
        return AgreementPlan(balance: balance, downPayment: down, instalments: instalments, monthlyRatePercent: monthlyInterestPercent)
    }
}

/// A payment plan: the down payment, then equal monthly instalments (French amortization) on what
/// is financed; each month's interest is the rate on what is still owed, rounded to the peso, and
/// the last instalment takes what rounding left over, so the principal adds up to the peso.
public struct AgreementPlan: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public let number: Int
        public let payment: Int64
        public let interest: Int64
        public let principal: Int64
        /// Owed after this instalment.
        public let remaining: Int64
    }

    public let balance: Int64
    public let downPayment: Int64
    public let financed: Int64
    public let monthlyRatePercent: Double
    public let rows: [Row]

    public init(balance: Int64, downPayment: Int64, instalments: Int, monthlyRatePercent: Double) {
        self.balance = balance
        self.downPayment = downPayment
        financed = balance - downPayment
        self.monthlyRatePercent = monthlyRatePercent
        let rate = monthlyRatePercent / 100
        let count = max(1, instalments)
        let level: Int64 = rate == 0
            ? (financed + Int64(count) - 1) / Int64(count)
            : Int64((Double(financed) * rate / (1 - pow(1 + rate, -Double(count)))).rounded())
        var remaining = financed
        var rows: [Row] = []
        for number in 1...count {
            let interest = Int64((Double(remaining) * rate).rounded())
            let principal = number == count ? remaining : min(remaining, level - interest)
            remaining -= principal
            rows.append(Row(number: number, payment: principal + interest, interest: interest, principal: principal, remaining: remaining))
        }
        self.rows = rows
    }

    public var instalments: Int { rows.count }
    /// The instalment of every month but (perhaps) the last.
    public var instalment: Int64 { rows.first?.payment ?? 0 }
    public var totalInterest: Int64 { rows.reduce(0) { $0 + $1.interest } }
    /// Everything paid: the down payment and every instalment.
    public var totalPaid: Int64 { downPayment + rows.reduce(0) { $0 + $1.payment } }
}
