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

    /// A share (0…1) as a percentage with one decimal: 0.946 → "94,6 %".
    public static func percent(_ share: Double) -> String { decimal(share * 100, places: 1) + " %" }

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

/// Waits as people say them: «1 minuto», «15 minutos», «1 hora y 5 minutos».
public enum SpanishDuration {
    /// A wait of `seconds`, rounded up to the minute (never «0 minutos», never seconds).
    public static func wait(seconds: Int) -> String {
        let minutes = max(1, (seconds + 59) / 60)
        func count(_ value: Int, _ one: String, _ many: String) -> String { value == 1 ? "1 \(one)" : "\(value) \(many)" }
        guard minutes >= 60 else { return count(minutes, "minuto", "minutos") }
        let hours = count(minutes / 60, "hora", "horas")
        return minutes % 60 == 0 ? hours : "\(hours) y \(count(minutes % 60, "minuto", "minutos"))"
    }
}

/// Instants as a Colombian reads them, in Bogotá's time.
public enum SpanishDateTime {
    /// «7 de diciembre de 2026, 3:05 p. m.»
    public static func format(_ date: Date) -> String {
        "\(CivilDate(bogotaAt: date.timeIntervalSince1970).displayName), \(time(date))"
    }

    /// «3:05 p. m.» (Bogotá has no daylight saving: UTC−5 all year).
    public static func time(_ date: Date) -> String {
        let minutes = Int((date.timeIntervalSince1970 - 5 * 3_600).truncatingRemainder(dividingBy: 86_400) / 60 + 1_440) % 1_440
        return TurnSlot(time: String(format: "%02d:%02d", minutes / 60, minutes % 60), left: 0).spoken
    }
}
