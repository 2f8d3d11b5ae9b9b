import EmaCore
import Testing

@Suite("Colombian business days (Ley 51 de 1983)")
struct ColombianCalendarTests {
    func dates(_ year: Int, _ list: [(Int, Int)]) -> Set<CivilDate> {
        Set(list.map { CivilDate(year: year, month: $0.0, day: $0.1)! })
    }

    @Test("Easter Sunday by the computus, against known dates")
    func easter() {
        let known = [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2028, 4, 16), (2038, 4, 25), (2000, 4, 23)]
        for (year, month, day) in known {
            #expect(ColombianCalendar.easter(year: year) == CivilDate(year: year, month: month, day: day)!, "\(year)")
        }
    }

    @Test("Weekdays: 1970-01-01 was a Thursday, 2026-11-23 a Monday")
    func weekdays() {
        #expect(ColombianCalendar.weekday(CivilDate("1970-01-01")!) == 3)
        #expect(ColombianCalendar.weekday(CivilDate("2026-11-23")!) == 0)
        #expect(ColombianCalendar.weekday(CivilDate("1969-12-28")!) == 6)
    }

    @Test("2025: the official list, 17 dates (San Pedro and Sagrado Corazón share 30 June)")
    func year2025() {
        let holidays = ColombianCalendar.holidays(year: 2025)
        #expect(Set(holidays.keys) == dates(2025, [(1, 1), (1, 6), (3, 24), (4, 17), (4, 18), (5, 1), (6, 2), (6, 23), (6, 30), (7, 20), (8, 7), (8, 18), (10, 13), (11, 3), (11, 17), (12, 8), (12, 25)]))
        #expect(holidays[CivilDate("2025-06-30")!]?.count == 2)
    }

    @Test("2026: the official list, 18 dates")
    func year2026() {
        #expect(Set(ColombianCalendar.holidays(year: 2026).keys) == dates(2026, [(1, 1), (1, 12), (3, 23), (4, 2), (4, 3), (5, 1), (5, 18), (6, 8), (6, 15), (6, 29), (7, 20), (8, 7), (8, 17), (10, 12), (11, 2), (11, 16), (12, 8), (12, 25)]))
    }

    @Test("2027: the list of the spec, 18 dates")
    func year2027() {
        #expect(Set(ColombianCalendar.holidays(year: 2027).keys) == dates(2027, [(1, 1), (1, 11), (3, 22), (3, 25), (3, 26), (5, 1), (5, 10), (5, 31), (6, 7), (7, 5), (7, 20), (8, 7), (8, 16), (10, 18), (11, 1), (11, 15), (12, 8), (12, 25)]))
    }

    @Test("Every moved holiday falls on a Monday, in any year")
    func mondays() {
        let movable: Set = ["Reyes Magos", "San José", "Ascensión del Señor", "Corpus Christi", "Sagrado Corazón de Jesús", "San Pedro y San Pablo",
                            "Asunción de la Virgen", "Día de la Diversidad Étnica y Cultural", "Todos los Santos", "Independencia de Cartagena"]
        for year in 1990...2060 {
            for (date, names) in ColombianCalendar.holidays(year: year) where names.contains(where: movable.contains) {
                #expect(ColombianCalendar.weekday(date) == 0, "\(date) \(names)")
            }
        }
    }

    @Test("Terms in business days: the spec's test vectors")
    func terms() {
        let calendar = ColombianCalendar()
        let vectors: [(String, Int, String)] = [
            ("2026-03-18", 15, "2026-04-13"), ("2026-03-18", 5, "2026-03-26"), ("2026-03-27", 15, "2026-04-21"),
            ("2026-12-22", 15, "2027-01-15"), ("2026-05-13", 10, "2026-05-28"), ("2027-03-19", 15, "2027-04-14"),
        ]
        for (filed, days, due) in vectors {
            #expect(calendar.adding(businessDays: days, to: CivilDate(filed)!) == CivilDate(due)!, "\(filed) + \(days)")
            #expect(calendar.businessDays(from: CivilDate(filed)!, to: CivilDate(due)!) == days)
        }
        // 24 and 31 December are working days.
        #expect(calendar.isBusinessDay(CivilDate("2026-12-24")!) && calendar.isBusinessDay(CivilDate("2026-12-31")!))
        #expect(!calendar.isBusinessDay(CivilDate("2026-11-21")!))
    }

    @Test("A declared closure day is not counted")
    func closures() {
        let closed = ColombianCalendar(closures: [CivilDate("2026-03-19")!])
        #expect(closed.adding(businessDays: 5, to: CivilDate("2026-03-18")!) == CivilDate("2026-03-27")!)
    }
}
