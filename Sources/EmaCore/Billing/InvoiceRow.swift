/// A bill as the billing system exports it (`invoices.csv`).
public struct InvoiceRow: Sendable, Equatable {
    public var invoiceNumber: String
    public var contractNumber: String
    public var period: BillingPeriod
    public var issueDate: CivilDate
    public var dueDate: CivilDate
    public var amountCOP: Int64

    public init(
        invoiceNumber: String, contractNumber: String, period: BillingPeriod,
        issueDate: CivilDate, dueDate: CivilDate, amountCOP: Int64
    ) {
        self.invoiceNumber = invoiceNumber
        self.contractNumber = contractNumber
        self.period = period
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.amountCOP = amountCOP
    }
}

/// The `invoices.csv` format of interfaces.md. Whether the contract exists is checked by the
/// importer against the database; everything else is checked here.
public enum InvoiceCSV: CSVRowFormat {
    public static let requiredColumns = ["invoice_number", "contract_number", "period", "issue_date", "due_date", "amount_cop"]
    public static let keyColumn = "invoice_number"
    /// A bill above ten thousand million pesos is a typo, not a bill.
    public static let maxAmount: Int64 = 10_000_000_000_000

    public static func key(of row: InvoiceRow) -> String { row.invoiceNumber }

    public static func read(_ reader: inout CSVFieldReader) -> InvoiceRow? {
        let number = reader.requiredText("invoice_number", maxLength: 40)
        let contract = BillingFields.contractNumber(&reader)
        let periodText = reader.text("period")
        let period = BillingPeriod(periodText)
        if period == nil {
            reader.fail("period", "debe tener la forma AAAA-MM, por ejemplo 2026-11 (se leyó «\(CSVFieldReader.echo(periodText))»)")
        }
        let issue = date(&reader, "issue_date")
        let due = date(&reader, "due_date")
        if let issue, let due, due < issue {
            reader.fail("due_date", "la fecha de vencimiento \(due) es anterior a la de expedición \(issue)")
        }
        let amountText = reader.text("amount_cop")
        let amount = amountText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int64(amountText) : nil
        if amount == nil || amount! > maxAmount {
            reader.fail("amount_cop", "debe ser un valor entero en pesos, sin puntos, comas ni signos, mayor o igual a 0 (se leyó «\(CSVFieldReader.echo(amountText))»)")
        }
        guard let contract, let period, let issue, let due, let amount, reader.problems.isEmpty else { return nil }
        return InvoiceRow(
            invoiceNumber: number, contractNumber: contract, period: period,
            issueDate: issue, dueDate: due, amountCOP: amount
        )
    }

    private static func date(_ reader: inout CSVFieldReader, _ column: String) -> CivilDate? {
        let text = reader.text(column)
        if let date = CivilDate(text) { return date }
        reader.fail(column, "debe ser una fecha AAAA-MM-DD que exista, por ejemplo 2026-11-05 (se leyó «\(CSVFieldReader.echo(text))»)")
        return nil
    }
}
