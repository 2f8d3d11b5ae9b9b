import EmaCore
import Testing

@Suite("invoices.csv rules")
struct InvoiceCSVTests {
    func read(_ line: String) throws -> Result<InvoiceRow, ImportProblems> {
        var parser = CSVParser()
        var records: [CSVRecord] = []
        parser.feed(Array("invoice_number,contract_number,period,issue_date,due_date,amount_cop\n\(line)\n".utf8)) { records.append($0) }
        parser.finish { records.append($0) }
        return InvoiceCSV.parse(records[1], header: try InvoiceCSV.header(records[0]))
    }

    @Test("Reads a good bill")
    func goodRow() throws {
        let row = try read("F-1,10234567,2026-11,2026-11-03,2026-11-23,125400").get()
        #expect(row.period == BillingPeriod(year: 2026, month: 11))
        #expect(row.issueDate == CivilDate(year: 2026, month: 11, day: 3))
        #expect(row.dueDate == CivilDate(year: 2026, month: 11, day: 23))
        #expect(row.amountCOP == 125_400)
    }

    @Test("Names each bad field", arguments: [
        (",1234,2026-11,2026-11-03,2026-11-23,100", "invoice_number"),
        ("F1,12,2026-11,2026-11-03,2026-11-23,100", "contract_number"),
        ("F1,1234,2026-13,2026-11-03,2026-11-23,100", "period"),
        ("F1,1234,11-2026,2026-11-03,2026-11-23,100", "period"),
        ("F1,1234,2026-11,2026-02-30,2026-11-23,100", "issue_date"),
        ("F1,1234,2026-11,2026/11/03,2026-11-23,100", "issue_date"),
        ("F1,1234,2026-11,2026-11-03,2026-11-31,100", "due_date"),
        ("F1,1234,2026-11,2026-11-23,2026-11-03,100", "due_date"),
        ("F1,1234,2026-11,2026-11-03,2026-11-23,-5", "amount_cop"),
        ("F1,1234,2026-11,2026-11-03,2026-11-23,12.500", "amount_cop"),
        ("F1,1234,2026-11,2026-11-03,2026-11-23,", "amount_cop"),
        ("F1,1234,2026-11,2026-11-03,2026-11-23,99999999999999999999", "amount_cop"),
    ])
    func badField(line: String, column: String) throws {
        guard case .failure(let failure) = try read(line) else {
            Issue.record("expected a problem in \(column)")
            return
        }
        #expect(failure.problems.map(\.column) == [column])
    }

    @Test("A due date equal to the issue date is fine; an amount of zero is fine")
    func edges() throws {
        #expect(try read("F1,1234,2026-11,2026-11-03,2026-11-03,0").get().amountCOP == 0)
    }
}
