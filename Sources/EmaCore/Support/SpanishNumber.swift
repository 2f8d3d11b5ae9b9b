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
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "es_CO")
        formatter.timeZone = TimeZone(identifier: "America/Bogota")
        formatter.dateFormat = "d 'de' MMMM 'de' yyyy, h:mm a"
        return formatter.string(from: date)
    }
}
