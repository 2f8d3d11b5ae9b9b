/// The utility's rules for payment coupons and partial payments («abonos»): the least a coupon
/// may be for (unless the whole balance is less), how many days it is valid, and the collector's
/// GLN its barcode carries. Read from `Resources/utility.json` (`coupons`).
public struct CouponPolicy: Sendable, Codable, Equatable {
    /// The least amount of a partial payment, in pesos.
    public let minimumCOP: Int64
    /// Days a coupon is valid, counting the day it is made.
    public let validDays: Int
    /// The utility's GLN as collector (13 digits), for `(415)` in the barcode.
    public let collectorGLN: String

    public init(minimumCOP: Int64, validDays: Int, collectorGLN: String) {
        self.minimumCOP = minimumCOP
        self.validDays = validDays
        self.collectorGLN = collectorGLN
    }

    public enum Problem: Error, Sendable, Equatable {
        case nothingOwed
        case unreadable
        case belowMinimum(Int64)
        case aboveBalance(Int64)

        /// What the customer reads, next to the amount.
        public var message: String {
            switch self {
            case .nothingOwed: "Este contrato no tiene saldo pendiente: no hay nada que pagar. ✅"
            case .unreadable: "Escribe el valor en pesos, solo con números; por ejemplo 50000 o 50.000."
            case .belowMinimum(let least): "El valor mínimo de un abono es \(Money.format(cop: least)). Escribe un valor igual o mayor."
            case .aboveBalance(let balance): "El valor no puede ser mayor que tu saldo, \(Money.format(cop: balance)). Escribe un valor igual o menor."
            }
        }
    }

    /// Why this policy cannot be used, or nil when it can (checked at start-up).
    public var problem: String? {
        if minimumCOP < 1 { return "coupons.minimumCOP debe ser mayor que 0" }
        if !(1...90).contains(validDays) { return "coupons.validDays debe estar entre 1 y 90" }
        if !GS1128.isValidGLN(collectorGLN) { return "coupons.collectorGLN debe ser un GLN de 13 dígitos con su dígito de control" }
        return nil
    }

    /// The least a coupon may be for when `balance` is owed: the minimum, or the whole balance
    /// when it is smaller.
    public func least(balance: Int64) -> Int64 { min(minimumCOP, balance) }

    /// Whether a coupon for `amount` may be made when `balance` is owed.
    public func check(amount: Int64, balance: Int64) -> Problem? {
        if balance <= 0 { return .nothingOwed }
        if amount > balance { return .aboveBalance(balance) }
        if amount < least(balance: balance) { return .belowMinimum(least(balance: balance)) }
        return nil
    }

    /// The last day to pay a coupon made on `today`.
    public func validUntil(today: CivilDate) -> CivilDate { today.adding(days: validDays - 1) }

    /// An amount as people type it: «50000», «$ 50.000», «50,000», «50 mil», «$50.000 pesos».
    /// Nil for anything else (decimals, letters, more than a thousand million).
    public static func amount(_ text: String) -> Int64? {
        var body = text.lowercased().trimmingASCIISpaces()
        for word in ["pesos", "cop"] where body.hasSuffix(word) { body = String(body.dropLast(word.count)).trimmingASCIISpaces() }
        var factor: Int64 = 1
        if body.hasSuffix("mil") {
            factor = 1_000
            body = String(body.dropLast(3)).trimmingASCIISpaces()
        }
        if body.hasPrefix("$") { body = String(body.dropFirst()).trimmingASCIISpaces() }
        guard !body.isEmpty, body.first!.isNumber, body.last!.isNumber else { return nil }
        // Thousands marks (dot, comma or space) only between groups of three digits.
        let groups = body.split(omittingEmptySubsequences: false) { $0 == "." || $0 == "," || $0 == " " }
        guard groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              groups.dropFirst().allSatisfy({ $0.count == 3 }), groups.first!.count <= (groups.count == 1 ? 10 : 3)
        else { return nil }
        guard let value = Int64(groups.joined()), value * factor <= 1_000_000_000 else { return nil }
        return value * factor
    }
}
