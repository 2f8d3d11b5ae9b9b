import Foundation

/// A call to the contact centre as its system exports it (`calls.csv`, one line per call): the
/// line dialled, the queue, when it was offered, when it was answered or abandoned, the talk
/// time, whether it was resolved in the call, and the caller's segment.
public struct CallRow: Sendable, Equatable {
    public var callID: String
    /// As dialled: `4444115`, `018000415115`, `#376`.
    public var line: String
    public var queue: String
    public var offeredAt: Date
    /// Exactly one of these two.
    public var answeredAt: Date?
    public var abandonedAt: Date?
    public var talkSeconds: Int
    public var resolved: Bool
    public var segment: Segment

    public init(callID: String, line: String, queue: String, offeredAt: Date, answeredAt: Date?, abandonedAt: Date?,
                talkSeconds: Int, resolved: Bool, segment: Segment) {
        self.callID = callID
        self.line = line
        self.queue = queue
        self.offeredAt = offeredAt
        self.answeredAt = answeredAt
        self.abandonedAt = abandonedAt
        self.talkSeconds = talkSeconds
        self.resolved = resolved
        self.segment = segment
    }

    /// Seconds the caller waited: until answered, or until they hung up.
    public var waitSeconds: Int {
        Int(((answeredAt ?? abandonedAt ?? offeredAt).timeIntervalSince(offeredAt)).rounded())
    }
}

/// The `calls.csv` format: `call_id, line, queue, offered_at, answered_at, abandoned_at,
/// talk_seconds, resolved, segment`. Times are `YYYY-MM-DD HH:MM:SS` in Bogotá, or ISO 8601 with
/// `Z` or an offset (`2026-11-03T08:15:02-05:00`); `resolved` is `si` or `no`.
public enum CallCSV: CSVRowFormat {
    public static let requiredColumns = ["call_id", "line", "queue", "offered_at", "answered_at", "abandoned_at", "talk_seconds", "resolved", "segment"]
    public static let keyColumn = "call_id"
    /// A call is answered or abandoned within this long of being offered.
    public static let longestWait: TimeInterval = 4 * 3_600
    public static let longestTalk = 24 * 3_600

    public enum Answer: String, CaseIterable { case si, no }

    public static func key(of row: CallRow) -> String { row.callID }

    public static func read(_ reader: inout CSVFieldReader) -> CallRow? {
        let callID = reader.requiredText("call_id", maxLength: 64)
        let line = reader.text("line")
        if reader.isWellFormed, !isLine(line) {
            reader.fail("line", "debe ser la línea marcada: dígitos, o # y dígitos, entre 3 y 15 (se leyó «\(CSVFieldReader.echo(line))»)")
        }
        let queue = reader.requiredText("queue", maxLength: 80)
        let offered = time(&reader, "offered_at", required: true)
        let answered = time(&reader, "answered_at", required: false)
        let abandoned = time(&reader, "abandoned_at", required: false)
        let talkText = reader.text("talk_seconds")
        let talk = Int(talkText)
        if reader.isWellFormed, talk == nil || !(0...longestTalk).contains(talk ?? -1) || !talkText.allSatisfy(\.isNumber) {
            reader.fail("talk_seconds", "debe ser un número entero de segundos entre 0 y \(longestTalk) (se leyó «\(CSVFieldReader.echo(talkText))»)")
        }
        let resolved = reader.choice("resolved", as: Answer.self, what: "una respuesta")
        let segment = reader.choice("segment", as: Segment.self, what: "un segmento")
        guard let offered, let talk, let resolved, let segment, reader.problems.isEmpty else { return nil }
        switch (answered, abandoned) {
        case (nil, nil), (.some, .some):
            reader.fail("answered_at", "una llamada tiene la hora en que se contestó o la hora en que se abandonó, una de las dos")
        case (let end?, nil), (nil, let end?):
            if end < offered || end.timeIntervalSince(offered) > longestWait {
                reader.fail(answered != nil ? "answered_at" : "abandoned_at", "debe ser posterior a offered_at y a menos de 4 horas de ella")
            }
        }
        if abandoned != nil, talk > 0 || resolved == .si {
            reader.fail("talk_seconds", "una llamada abandonada no tiene tiempo de conversación ni se resolvió")
        }
        guard reader.problems.isEmpty else { return nil }
        return CallRow(callID: callID, line: line, queue: queue, offeredAt: offered, answeredAt: answered, abandonedAt: abandoned,
                       talkSeconds: talk, resolved: resolved == .si, segment: segment)
    }

    static func isLine(_ text: String) -> Bool {
        let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        return (3...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func time(_ reader: inout CSVFieldReader, _ column: String, required: Bool) -> Date? {
        let text = reader.text(column)
        guard reader.isWellFormed, !text.isEmpty || required else { return nil }
        guard let date = parseTime(text) else {
            reader.fail(column, text.isEmpty ? "está vacío y es obligatorio"
                        : "debe ser una fecha y hora AAAA-MM-DD HH:MM:SS (hora de Bogotá) o ISO 8601 con zona (se leyó «\(CSVFieldReader.echo(text))»)")
            return nil
        }
        return date
    }

    /// `YYYY-MM-DD HH:MM:SS` (Bogotá) or `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`.
    public static func parseTime(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let day = CivilDate(String(decoding: bytes[0..<10], as: UTF8.self)),
              let hour = Digits.int(bytes[11..<13]), let minute = Digits.int(bytes[14..<16]), let second = Digits.int(bytes[17..<19]),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var offset = CivilDate.bogotaOffsetSeconds
        let zone = bytes[19...]
        if zone.isEmpty {
            // No zone: Bogotá's time, as the contact centre's clock shows it.
        } else if zone.count == 1, zone.first == UInt8(ascii: "Z") {
            offset = 0
        } else if zone.count == 6, let sign = zone.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                  zone[zone.startIndex + 3] == UInt8(ascii: ":"),
                  let hours = Digits.int(zone[(zone.startIndex + 1)..<(zone.startIndex + 3)]),
                  let minutes = Digits.int(zone[(zone.startIndex + 4)..<(zone.startIndex + 6)]), hours < 15, minutes < 60 {
            offset = (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 3_600 + minutes * 60)
        } else {
            return nil
        }
        let local = Double(day.dayNumber * 86_400 + hour * 3_600 + minute * 60 + second)
        return Date(timeIntervalSince1970: local - Double(offset))
    }
}
