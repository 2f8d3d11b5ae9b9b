/// A prepaid recharge as the billing system exports it (`prepaid.csv`, one line per recharge):
/// the meter (its contract, service and the mobile registered for it) and the recharge (when,
/// how much, how many units, and the PIN the customer types into the meter).
public struct PrepaidRow: Sendable, Equatable {
    public enum Service: String, CaseIterable, Sendable { case energia, agua }

    public var meterNumber: String
    public var contractNumber: String
    public var service: Service
    /// The registered mobile, in E.164.
    public var mobile: String
    public var rechargeID: String
    /// `YYYY-MM-DD HH:MM`, Bogotá.
    public var rechargedAt: String
    public var amountCOP: Int64
    /// kWh or m³, as written (`85.5`).
    public var units: String
    public var pin: String
}

/// The `prepaid.csv` format: `meter_number, contract_number, service, mobile, recharge_id,
/// recharged_at, amount_cop, units, pin`.
public enum PrepaidCSV: CSVRowFormat {
    public static let requiredColumns = ["meter_number", "contract_number", "service", "mobile", "recharge_id", "recharged_at", "amount_cop", "units", "pin"]
    public static let keyColumn = "recharge_id"

    public static func key(of row: PrepaidRow) -> String { row.rechargeID }

    public static func read(_ reader: inout CSVFieldReader) -> PrepaidRow? {
        let meter = digits(&reader, "meter_number", 6...20, "el número del medidor")
        let contract = BillingFields.contractNumber(&reader)
        let service = reader.choice("service", as: PrepaidRow.Service.self, what: "un servicio prepago")
        let mobileText = reader.text("mobile")
        let mobile = ColombianMobile.e164(mobileText)
        if reader.isWellFormed, mobile == nil {
            reader.fail("mobile", "debe ser un celular colombiano de 10 dígitos que empieza por 3 (se leyó «\(CSVFieldReader.echo(mobileText))»)")
        }
        let recharge = reader.requiredText("recharge_id", maxLength: 40)
        let at = reader.text("recharged_at")
        if reader.isWellFormed, !Self.isTimestamp(at) {
            reader.fail("recharged_at", "debe tener la forma AAAA-MM-DD HH:MM, hora de Colombia (se leyó «\(CSVFieldReader.echo(at))»)")
        }
        let amountText = reader.text("amount_cop")
        let amount = amountText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && (1...15).contains(amountText.count) ? Int64(amountText) : nil
        if reader.isWellFormed, amount == nil || amount! < 1 {
            reader.fail("amount_cop", "debe ser un valor entero en pesos mayor que 0, sin puntos ni signos (se leyó «\(CSVFieldReader.echo(amountText))»)")
        }
        let units = reader.text("units")
        let parts = units.split(separator: ".", omittingEmptySubsequences: false)
        if reader.isWellFormed, !(parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) } && units.count <= 12) {
            reader.fail("units", "debe ser un número con punto decimal, por ejemplo 85.5 (se leyó «\(CSVFieldReader.echo(units))»)")
        }
        let pin = digits(&reader, "pin", 10...24, "el PIN")
        guard let meter, let contract, let service, let mobile, let amount, let pin, reader.problems.isEmpty else { return nil }
        return PrepaidRow(meterNumber: meter, contractNumber: contract, service: service, mobile: mobile, rechargeID: recharge,
                          rechargedAt: at, amountCOP: amount, units: units, pin: pin)
    }

    static func digits(_ reader: inout CSVFieldReader, _ column: String, _ length: ClosedRange<Int>, _ what: String) -> String? {
        let value = reader.text(column).filter { $0 != " " && $0 != "-" }
        guard reader.isWellFormed else { return nil }
        guard length.contains(value.count), value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            reader.fail(column, "\(what) debe tener entre \(length.lowerBound) y \(length.upperBound) dígitos (se leyó «\(CSVFieldReader.echo(reader.text(column)))»)")
            return nil
        }
        return value
    }

    /// `YYYY-MM-DD HH:MM` with a real date and time.
    public static func isTimestamp(_ text: String) -> Bool {
        let parts = text.split(separator: " ")
        guard parts.count == 2, CivilDate(parts[0]) != nil else { return false }
        let time = parts[1].split(separator: ":")
        guard time.count == 2, time.allSatisfy({ $0.count == 2 }), let hour = Int(time[0]), let minute = Int(time[1]) else { return false }
        return (0..<24).contains(hour) && (0..<60).contains(minute)
    }
}
