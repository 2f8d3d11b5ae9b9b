/// Business days in Colombia: Monday to Friday minus the national holidays of Ley 51 de 1983
/// (fixed dates; the "Emiliani" dates moved to the next Monday; the Easter-based dates), and
/// minus any extra closure days the utility declares. Legal terms (PQR, data requests) count
/// in these days, starting the business day after the filing.
public struct ColombianCalendar: Sendable {
    /// Days the offices close besides the national holidays (e.g. a collective vacation).
    public var closures: Set<CivilDate>

    public init(closures: Set<CivilDate> = []) {
        self.closures = closures
    }

    /// Monday = 0 … Sunday = 6.
    public static func weekday(_ date: CivilDate) -> Int {
        // 1970-01-01 was a Thursday (3).
        ((date.dayNumber % 7) + 7 + 3) % 7
    }

    /// Easter Sunday (Gregorian computus, the anonymous algorithm).
    public static func easter(year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)!
    }

    /// `date` if it is a Monday, otherwise the Monday after it.
    static func nextMonday(_ date: CivilDate) -> CivilDate {
        date.adding(days: (7 - weekday(date)) % 7)
    }

    /// The year's national holidays, by date, with their names (two may share a Monday).
    public static func holidays(year: Int) -> [CivilDate: [String]] {
        func on(_ month: Int, _ day: Int) -> CivilDate { CivilDate(year: year, month: month, day: day)! }
        let easter = easter(year: year)
        let list: [(String, CivilDate)] = [
            ("Año Nuevo", on(1, 1)),
            ("Reyes Magos", nextMonday(on(1, 6))),
            ("San José", nextMonday(on(3, 19))),
            ("Jueves Santo", easter.adding(days: -3)),
            ("Viernes Santo", easter.adding(days: -2)),
            ("Día del Trabajo", on(5, 1)),
            ("Ascensión del Señor", easter.adding(days: 43)),
            ("Corpus Christi", easter.adding(days: 64)),
            ("Sagrado Corazón de Jesús", easter.adding(days: 71)),
            ("San Pedro y San Pablo", nextMonday(on(6, 29))),
            ("Día de la Independencia", on(7, 20)),
            ("Batalla de Boyacá", on(8, 7)),
            ("Asunción de la Virgen", nextMonday(on(8, 15))),
            ("Día de la Diversidad Étnica y Cultural", nextMonday(on(10, 12))),
            ("Todos los Santos", nextMonday(on(11, 1))),
            ("Independencia de Cartagena", nextMonday(on(11, 11))),
            ("Inmaculada Concepción", on(12, 8)),
            ("Navidad", on(12, 25)),
        ]
        return Dictionary(grouping: list, by: \.1).mapValues { $0.map(\.0) }
    }

    public func isHoliday(_ date: CivilDate) -> Bool {
        Self.holidays(year: date.year)[date] != nil
    }

    /// A day the offices work: Monday to Friday, not a holiday, not a closure.
    public func isBusinessDay(_ date: CivilDate) -> Bool {
        Self.weekday(date) < 5 && !isHoliday(date) && !closures.contains(date)
    }

    /// The `count`-th business day after `date` (counting starts the day after: a term of 15
    /// business days filed on a Wednesday ends 15 business days later).
    public func adding(businessDays count: Int, to date: CivilDate) -> CivilDate {
        var current = date
        var left = count
        while left > 0 {
            current = current.adding(days: 1)
            if isBusinessDay(current) { left -= 1 }
        }
        return current
    }

    /// Business days from `start` (excluded) to `end` (included); 0 when `end` is not after it.
    public func businessDays(from start: CivilDate, to end: CivilDate) -> Int {
        guard start < end else { return 0 }
        var count = 0
        var current = start
        while current < end {
            current = current.adding(days: 1)
            if isBusinessDay(current) { count += 1 }
        }
        return count
    }
}

extension CivilDate {
    /// "viernes 11 de diciembre de 2026": a deadline as a person reads it.
    public var nameWithWeekday: String {
        let names = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
        return "\(names[ColombianCalendar.weekday(self)]) \(displayName)"
    }
}
