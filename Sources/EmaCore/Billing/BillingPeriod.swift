/// A monthly billing period, written `YYYY-MM`.
public struct BillingPeriod: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (2000...2999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM` strictly (four digits, dash, two digits).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
              let year = Digits.int(bytes[0..<4]), let month = Digits.int(bytes[5..<7])
        else { return nil }
        self.init(year: year, month: month)
    }

    public var description: String {
        "\(Digits.padded(year, 4))-\(Digits.padded(month, 2))"
    }

    /// The period after this one.
    public var next: BillingPeriod {
        month == 12 ? BillingPeriod(year: year + 1, month: 1)! : BillingPeriod(year: year, month: month + 1)!
    }

    /// The period before this one.
    public var previous: BillingPeriod {
        month == 1 ? BillingPeriod(year: year - 1, month: 12)! : BillingPeriod(year: year, month: month - 1)!
    }

    /// The period that contains a civil date.
    public init(containing date: CivilDate) {
        self.year = date.year
        self.month = date.month
    }

    /// Spanish name of the period, e.g. "noviembre de 2026".
    public var displayName: String {
        "\(CivilDate.monthNames[month - 1]) de \(year)"
    }

    public static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
