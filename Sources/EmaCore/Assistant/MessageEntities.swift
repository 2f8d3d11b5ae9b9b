import Foundation

/// What a message names besides its intent: a contract number, a radicado, an amount of money,
/// a date — taken from free text so Ema does not ask for them again («me llegó muy cara la
/// factura del contrato 1023 4567, quiero reclamar»).
public struct MessageEntities: Codable, Sendable, Equatable {
    public var contract: String?
    public var radicado: String?
    public var amountCOP: Int64?
    public var date: CivilDate?

    public init(contract: String? = nil, radicado: String? = nil, amountCOP: Int64? = nil, date: CivilDate? = nil) {
        self.contract = contract
        self.radicado = radicado
        self.amountCOP = amountCOP
        self.date = date
    }

    public var isEmpty: Bool { contract == nil && radicado == nil && amountCOP == nil && date == nil }

    /// The entities of a text; `today` (in Bogotá) reads «mañana», weekdays and dates without a year.
    public static func extract(from text: String, today: CivilDate) -> MessageEntities {
        let lowered = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var found = MessageEntities()
        var rest = lowered
        if let match = radicadoPattern.first(in: rest), let radicado = Radicado.parse(match.text) {
            found.radicado = radicado.text
            rest.replaceSubrange(match.range, with: " ")
        }
        if let match = amountPattern.first(in: rest), let amount = amount(match.text) {
            found.amountCOP = amount
            rest.replaceSubrange(match.range, with: " ")
        }
        if let (date, range) = date(in: rest, today: today) {
            found.date = date
            rest.replaceSubrange(range, with: " ")
        }
        if let match = contractPattern.first(in: rest), let digits = match.groups[0] {
            found.contract = ContractNumber.parse(digits)
        }
        return found
    }

    // MARK: Patterns (on folded, lower-case text)

    /// «2026-0000123», «radicado 2026 123».
    static let radicadoPattern = Pattern(#"(?<![\d.$])(?:19|20)\d{2}\s?-\s?\d{1,9}(?![\d.])|(?<=radicado\s)(?:no\.?\s|numero\s|#\s?)?(?:19|20)\d{2}\s?\d{1,9}(?!\d)"#)

    /// «$45.000», «45.000 pesos», «45 mil», «1,5 millones», «$ 120000».
    static let amountPattern = Pattern(#"\$\s?\d{1,3}(?:[.\s]\d{3})+(?:,\d{1,2})?(?!\d)|\$\s?\d+|\d+(?:[.,]\d+)*\s?(?:mil|millon|millones|pesos|cop)\b"#)

    /// After «contrato», «cuenta», «suscriptor» or «NIC», with a few words between («contrato
    /// número 10.234.567», «mi contrato es el 1023 4567»): digits grouped by spaces, dots or dashes.
    static let contractPattern = Pattern(#"(?:contrato|cuenta|suscriptor|nic|poliza)s?\b(?:\s+(?:no\.?|numero|nro\.?|es|el|de|mi|#|n\.?))*\s*#?\s*(\d(?:[\d]|[ .-](?=\d)){3,15})"#)

    static func amount(_ text: String) -> Int64? {
        var body = text.replacingOccurrences(of: "$", with: "").trimmingCharacters(in: .whitespaces)
        var factor: Double = 1
        for (word, multiplier) in [("millones", 1_000_000.0), ("millon", 1_000_000), ("mil", 1_000), ("pesos", 1), ("cop", 1)] where body.hasSuffix(word) {
            body = String(body.dropLast(word.count)).trimmingCharacters(in: .whitespaces)
            factor = multiplier
            break
        }
        let value: Double?
        if factor > 1 {
            // «1,5 millones», «2.5 mil»: a decimal comma or point.
            value = Double(body.replacingOccurrences(of: ",", with: "."))
        } else {
            // «45.000», «45 000», «45.000,50»: thousands grouped; cents dropped.
            let whole = body.split(separator: ",").first.map(String.init) ?? body
            value = Double(whole.filter(\.isNumber))
        }
        guard let value, value > 0, value * factor < 10_000_000_000 else { return nil }
        return Int64((value * factor).rounded())
    }

    // MARK: Dates

    static let numericDate = Pattern(#"(?<!\d)(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?(?!\d)"#)
    static let writtenDate = Pattern(#"(?<!\d)(\d{1,2})\s+de\s+(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)(?:\s+(?:de|del)\s+(\d{4}))?"#)
    static let relativeDate = Pattern(#"\b(pasado\s+manana|manana|hoy)\b"#)
    static let weekday = Pattern(#"\b(?:el\s+|este\s+|proximo\s+)(lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b"#)

    static func date(in text: String, today: CivilDate) -> (CivilDate, Range<String.Index>)? {
        if let match = writtenDate.first(in: text), let day = match.groups[0].flatMap({ Int($0) }), let written = match.groups[1] {
            let month = (CivilDate.monthNames.firstIndex(of: written == "setiembre" ? "septiembre" : written) ?? 0) + 1
            if let date = dated(day: day, month: month, year: match.groups[2].flatMap { Int($0) }, today: today) { return (date, match.range) }
        }
        if let match = numericDate.first(in: text), let day = match.groups[0].flatMap({ Int($0) }), let month = match.groups[1].flatMap({ Int($0) }) {
            let year = match.groups[2].flatMap { Int($0) }.map { $0 < 100 ? 2000 + $0 : $0 }
            if let date = dated(day: day, month: month, year: year, today: today) { return (date, match.range) }
        }
        if let match = relativeDate.first(in: text) {
            let first = match.text.split(separator: " ").first
            let offset = first == "pasado" ? 2 : first == "manana" ? 1 : 0
            return (today.adding(days: offset), match.range)
        }
        if let match = weekday.first(in: text), let name = match.groups[0] {
            let names = ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"]
            let wanted = names.firstIndex(of: name) ?? 0
            let ahead = (wanted - ColombianCalendar.weekday(today) + 7) % 7
            return (today.adding(days: ahead == 0 ? 7 : ahead), match.range)
        }
        return nil
    }

    /// A day and month without a year is the nearest such date: «el 3 de enero» said in
    /// December is next year's, «el 2 de noviembre» the one just gone.
    static func dated(day: Int, month: Int, year: Int?, today: CivilDate) -> CivilDate? {
        if let year { return CivilDate(year: year, month: month, day: day) }
        return (today.year - 1...today.year + 1).compactMap { CivilDate(year: $0, month: month, day: day) }
            .min { abs($0.dayNumber - today.dayNumber) < abs($1.dayNumber - today.dayNumber) }
    }
}

/// A compiled regular expression (ICU's, for the look-behinds Swift's own lacks): its first
/// match (the whole text, the capture groups, the range), or every match replaced.
struct Pattern: Sendable {
    private let expression: NSRegularExpression

    init(_ pattern: String) {
        // The patterns are constants of this file: a bad one is a programming error.
        expression = try! NSRegularExpression(pattern: pattern)
    }

    func first(in text: String) -> (text: String, groups: [String?], range: Range<String.Index>)? {
        guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range, in: text)
        else { return nil }
        let groups = (1..<max(1, match.numberOfRanges)).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
        return (String(text[range]), groups, range)
    }

    /// Every match replaced by `template` (`$1` names a group).
    func replacing(in text: String, with template: String) -> String {
        expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}
