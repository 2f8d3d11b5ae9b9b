import EmaCore
import Testing

@Suite("SOMOS certificates: the balance on a day and a tax year's figures")
struct SomosStatementTests {
    func row(_ id: String, _ date: String, _ kind: SomosRow.Kind, _ amount: Int64, _ balance: Int64) -> SomosRow {
        SomosRow(cardNumber: "", holderID: "", holderName: "", mobile: "", movementID: id, date: CivilDate(date)!, kind: kind, amountCOP: amount, balanceCOP: balance)
    }

    @Test("Balance on 31 December, the year's interest and payments; a year without movements has no certificate")
    func taxYear() {
        let movements = [
            row("1", "2025-03-10", .compra, 1_800_000, 1_800_000), row("2", "2025-04-15", .interes, 32_400, 1_832_400),
            row("3", "2025-04-20", .pago, 150_000, 1_682_400), row("4", "2025-10-15", .interes, 25_100, 1_707_500),
            row("5", "2025-10-20", .pago, 300_000, 1_407_500), row("6", "2026-02-20", .pago, 200_000, 1_207_500),
        ]
        let year = SomosStatement.taxYear(movements, year: 2025)
        #expect(year?.balance == 1_407_500 && year?.interest == 57_500 && year?.payments == 450_000)
        #expect(SomosStatement.taxYear(movements, year: 2024) == nil)
        #expect(SomosStatement.balance(movements, on: CivilDate("2026-12-07")!) == 1_207_500)
        #expect(SomosStatement.balance(movements, on: CivilDate("2025-04-19")!) == 1_832_400)
        #expect(SomosStatement.balance(movements, on: CivilDate("2025-01-01")!) == 0)
    }
}
