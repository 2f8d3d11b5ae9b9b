import Foundation

/// A turn as an iCalendar event (RFC 5545): the phone's calendar app opens it and reminds the
/// customer an hour before. Times in UTC; text escaped and lines folded at 75 octets.
enum TurnCalendar {
    static let length: TimeInterval = 30 * 60

    /// `cancelURL`: where the turn can be cancelled (the public turns page).
    static func event(_ turn: OfficeTurn, start: Date, address: String, utility: String, cancelURL: String) -> String {
        let lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ema//Turnos//ES", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            "UID:\(turn.code)@turnos.ema",
            "DTSTAMP:\(stamp(turn.createdAt))",
            "DTSTART:\(stamp(start))",
            "DTEND:\(stamp(start.addingTimeInterval(length)))",
            "SUMMARY:\(text("Turno \(turn.code) en \(turn.office) · \(utility)"))",
            "LOCATION:\(text(address))",
            "DESCRIPTION:\(text("Muestra el código \(turn.code) al llegar. Si no puedes ir, cancélalo con el código en \(cancelURL)."))",
            "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT1H", "DESCRIPTION:\(text("Tu turno en \(turn.office)"))", "END:VALARM",
            "END:VEVENT", "END:VCALENDAR",
        ]
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261208T140000Z`.
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// Backslash, semicolon, comma and newline escaped, as the format asks.
    static func text(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Lines longer than 75 octets continue on the next line after a space (never inside a
    /// character).
    static func fold(_ line: String) -> String {
        var result = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            if octets + size > 75 {
                result += "\r\n "
                octets = 1
            }
            result.append(character)
            octets += size
        }
        return result
    }
}
