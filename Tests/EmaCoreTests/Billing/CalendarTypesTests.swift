import EmaCore
import Testing

@Suite("Billing periods and civil dates")
struct CalendarTypesTests {
    @Test("Parses periods strictly and walks across years")
    func periods() {
        #expect(BillingPeriod("2026-11")?.description == "2026-11")
        #expect(BillingPeriod("2026-1") == nil)
        #expect(BillingPeriod("2026-00") == nil)
        #expect(BillingPeriod("2026/11") == nil)
        #expect(BillingPeriod("2026-12")?.next == BillingPeriod("2027-01"))
        #expect(BillingPeriod("2027-01")?.previous == BillingPeriod("2026-12"))
        #expect(BillingPeriod("2026-11")?.displayName == "noviembre de 2026")
    }

    @Test("Rejects dates that do not exist, knows leap years")
    func dates() {
        #expect(CivilDate("2028-02-29") != nil)
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate("1900-02-29") == nil)
        #expect(CivilDate("2000-02-29") != nil)
        #expect(CivilDate("2026-04-31") == nil)
        #expect(CivilDate("2026-4-03") == nil)
        #expect(CivilDate("2026-11-05")?.displayName == "5 de noviembre de 2026")
    }

    @Test("Day arithmetic round-trips over centuries")
    func dayNumbers() {
        #expect(CivilDate(year: 1970, month: 1, day: 1)?.dayNumber == 0)
        #expect(CivilDate(year: 2026, month: 11, day: 22)?.dayNumber == 20_779)
        for number in stride(from: -50_000, through: 80_000, by: 37) {
            #expect(CivilDate(dayNumber: number).dayNumber == number)
        }
        #expect(CivilDate("2026-12-25")?.adding(days: 10) == CivilDate("2027-01-04"))
    }

    @Test("The date in Bogotá is five hours behind UTC")
    func bogota() {
        // 2026-11-22 03:00 UTC is still the 21st in Bogotá; 05:00 UTC is the 22nd.
        let midnightUTC = Double(20_779 * 86_400)
        #expect(CivilDate(bogotaAt: midnightUTC + 3 * 3600) == CivilDate("2026-11-21"))
        #expect(CivilDate(bogotaAt: midnightUTC + 5 * 3600) == CivilDate("2026-11-22"))
    }

    @Test("Formats pesos as Colombians read them")
    func money() {
        #expect(Money.format(cop: 125_400) == "$ 125.400")
        #expect(Money.format(cop: 0) == "$ 0")
        #expect(Money.format(cop: 1_000) == "$ 1.000")
        #expect(Money.format(cop: 48_000_000) == "$ 48.000.000")
        #expect(Money.format(cop: -900) == "-$ 900")
    }

    @Test("Contract numbers are 4 to 12 digits")
    func contractNumbers() {
        #expect(ContractNumber.isValid("1234"))
        #expect(ContractNumber.isValid("123456789012"))
        #expect(!ContractNumber.isValid("123"))
        #expect(!ContractNumber.isValid("1234567890123"))
        #expect(!ContractNumber.isValid("12 34"))
        #expect(!ContractNumber.isValid("١٢٣٤"))
        // As people type them: dots, spaces and dashes go; anything else makes it invalid.
        #expect(ContractNumber.parse("10.234.567") == "10234567")
        #expect(ContractNumber.parse(" 10 234-567 ") == "10234567")
        #expect(ContractNumber.parse("10234567a") == nil)
        #expect(ContractNumber.parse("1.2.3") == nil)
    }
}
