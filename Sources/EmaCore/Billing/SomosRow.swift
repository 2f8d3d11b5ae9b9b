/// A movement of a SOMOS card as the card's system exports it (`somos.csv`, one line per
/// movement): the card (its number, holder and registered mobile) and the movement (date, kind,
/// amount and the balance after it).
public struct SomosRow: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        case compra, pago, interes, cuotaManejo = "cuota_manejo"
    }

    public var cardNumber: String
    public var holderID: String
    public var holderName: String
    /// The registered mobile, in E.164.
    public var mobile: String
    public var movementID: String
    public var date: CivilDate
    public var kind: Kind
    public var amountCOP: Int64
    public var balanceCOP: Int64

    public init(cardNumber: String, holderID: String, holderName: String, mobile: String, movementID: String, date: CivilDate,
                kind: Kind, amountCOP: Int64, balanceCOP: Int64) {
        self.cardNumber = cardNumber
        self.holderID = holderID
        self.holderName = holderName
        self.mobile = mobile
        self.movementID = movementID
        self.date = date
        self.kind = kind
        self.amountCOP = amountCOP
        self.balanceCOP = balanceCOP
    }
}

/// The `somos.csv` format: `card_number, holder_id, holder_name, mobile, movement_id, date, kind,
/// amount_cop, balance_cop`.
public enum SomosCSV: CSVRowFormat {
    public static let requiredColumns = ["card_number", "holder_id", "holder_name", "mobile", "movement_id", "date", "kind", "amount_cop", "balance_cop"]
    public static let keyColumn = "movement_id"

    public static func key(of row: SomosRow) -> String { row.movementID }

    public static func read(_ reader: inout CSVFieldReader) -> SomosRow? {
        let card = PrepaidCSV.digits(&reader, "card_number", 16...16, "el número de la tarjeta")
        let holderID = PrepaidCSV.digits(&reader, "holder_id", 5...12, "la cédula del titular")
        let name = reader.requiredText("holder_name", maxLength: 200)
        let mobileText = reader.text("mobile")
        let mobile = ColombianMobile.e164(mobileText)
        if reader.isWellFormed, mobile == nil {
            reader.fail("mobile", "debe ser un celular colombiano de 10 dígitos que empieza por 3 (se leyó «\(CSVFieldReader.echo(mobileText))»)")
        }
        let movement = reader.requiredText("movement_id", maxLength: 40)
        let dateText = reader.text("date")
        let date = CivilDate(dateText)
        if reader.isWellFormed, date == nil { reader.fail("date", "debe ser una fecha AAAA-MM-DD (se leyó «\(CSVFieldReader.echo(dateText))»)") }
        let kind = reader.choice("kind", as: SomosRow.Kind.self, what: "un tipo de movimiento")
        let amount = pesos(&reader, "amount_cop")
        let balance = pesos(&reader, "balance_cop")
        guard let card, let holderID, let mobile, let date, let kind, let amount, let balance, reader.problems.isEmpty else { return nil }
        return SomosRow(cardNumber: card, holderID: holderID, holderName: name, mobile: mobile, movementID: movement, date: date,
                        kind: kind, amountCOP: amount, balanceCOP: balance)
    }

    static func pesos(_ reader: inout CSVFieldReader, _ column: String) -> Int64? {
        let text = reader.text(column)
        guard reader.isWellFormed else { return nil }
        guard (1...15).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text) else {
            reader.fail(column, "debe ser un valor entero en pesos, sin puntos ni signos (se leyó «\(CSVFieldReader.echo(text))»)")
            return nil
        }
        return value
    }
}

/// What the SOMOS certificates say, from a card's movements (oldest first).
public enum SomosStatement {
    /// The balance at the end of `day`: the balance after the last movement on or before it.
    public static func balance(_ movements: [SomosRow], on day: CivilDate) -> Int64 {
        movements.last { !(day < $0.date) }?.balanceCOP ?? 0
    }

    /// For the income-tax return of `year`: the balance on 31 December, and the interest and
    /// payments of the year; nil when the card has no movement that year.
    public static func taxYear(_ movements: [SomosRow], year: Int) -> (balance: Int64, interest: Int64, payments: Int64)? {
        let within = movements.filter { $0.date.year == year }
        guard !within.isEmpty, let last = CivilDate(year: year, month: 12, day: 31) else { return nil }
        return (balance(movements, on: last), within.filter { $0.kind == .interes }.reduce(0) { $0 + $1.amountCOP },
                within.filter { $0.kind == .pago }.reduce(0) { $0 + $1.amountCOP })
    }
}
