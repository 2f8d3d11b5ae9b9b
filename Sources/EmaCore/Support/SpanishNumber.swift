import Foundation

/// Numbers as Colombians write them: decimal comma, thousands with a dot.
public enum SpanishNumber {
    public static func decimal(_ value: Double, places: Int) -> String {
        let fixed = String(format: "%.\(places)f", value)
        let parts = fixed.split(separator: ".", maxSplits: 1)
        let whole = grouped(String(parts[0]))
        return parts.count == 2 ? whole + "," + parts[1] : whole
    }

    public static func integer(_ value: Int) -> String { grouped(String(value)) }

    /// "1234567" → "1.234.567" (a leading minus kept).
    static func grouped(_ digits: String) -> String {
        let negative = digits.hasPrefix("-")
        var body = Array(negative ? String(digits.dropFirst()) : digits)
        var groups: [String] = []
        while body.count > 3 {
            groups.insert(String(body.suffix(3)), at: 0)
            body.removeLast(3)
        }
        groups.insert(String(body), at: 0)
        return (negative ? "-" : "") + groups.joined(separator: ".")
    }
}
