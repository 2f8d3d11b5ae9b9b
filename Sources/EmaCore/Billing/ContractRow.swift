/// A contract as the billing system exports it (`contracts.csv`).
public struct ContractRow: Sendable, Equatable {
    public var contractNumber: String
    public var holderName: String
    public var address: String
    public var municipality: String
    public var segment: Segment
    public var services: Set<UtilityService>
    public var status: ContractStatus
    /// How the bill reaches the customer outside Ema (`bill_channels`; paper when not said).
    public var billChannels: Set<BillChannel>

    public init(
        contractNumber: String, holderName: String, address: String, municipality: String,
        segment: Segment, services: Set<UtilityService>, status: ContractStatus = .activo, billChannels: Set<BillChannel> = [.impresa]
    ) {
        self.contractNumber = contractNumber
        self.holderName = holderName
        self.address = address
        self.municipality = municipality
        self.segment = segment
        self.services = services
        self.status = status
        self.billChannels = billChannels
    }
}

/// The `contracts.csv` format of interfaces.md.
public enum ContractCSV: CSVRowFormat {
    public static let requiredColumns = ["contract_number", "holder_name", "address", "municipality", "segment", "services"]
    public static let optionalColumns = ["status", "bill_channels"]
    public static let keyColumn = "contract_number"

    public static func key(of row: ContractRow) -> String { row.contractNumber }

    public static func read(_ reader: inout CSVFieldReader) -> ContractRow? {
        let number = BillingFields.contractNumber(&reader)
        let holder = reader.requiredText("holder_name", maxLength: 200)
        let address = reader.requiredText("address", maxLength: 200)
        let municipality = reader.requiredText("municipality", maxLength: 100)
        let segment = reader.choice("segment", as: Segment.self, what: "un segmento")
        let services = BillingFields.services(&reader)
        let status = reader.choice("status", as: ContractStatus.self, what: "un estado", default: .activo)
        let channels = BillingFields.billChannels(&reader)
        guard let number, let segment, let services, let status, let channels, reader.problems.isEmpty else { return nil }
        return ContractRow(
            contractNumber: number, holderName: holder, address: address, municipality: municipality,
            segment: segment, services: services, status: status, billChannels: channels
        )
    }
}

/// Field rules shared by the billing formats.
enum BillingFields {
    static func contractNumber(_ reader: inout CSVFieldReader) -> String? {
        let value = reader.text("contract_number")
        guard reader.isWellFormed else { return nil }
        if value.isEmpty {
            reader.fail("contract_number", "está vacío y es obligatorio")
            return nil
        }
        guard ContractNumber.isValid(value) else {
            reader.fail("contract_number", "debe tener entre 4 y 12 dígitos, sin letras, puntos ni espacios (se leyó «\(CSVFieldReader.echo(value))»)")
            return nil
        }
        return value
    }

    /// `impresa`, `correo` or both, `;`-separated; empty or absent: `impresa`.
    static func billChannels(_ reader: inout CSVFieldReader) -> Set<BillChannel>? {
        let value = reader.text("bill_channels")
        guard reader.isWellFormed else { return nil }
        let names = value.split(separator: ";").map { $0.trimmingASCIISpaces() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return [.impresa] }
        var channels = Set<BillChannel>()
        for name in names {
            guard let channel = BillChannel(rawValue: CSVFieldReader.folded(name)) else {
                reader.fail("bill_channels", "«\(CSVFieldReader.echo(name))» no es un canal de factura válido; use impresa o correo, separados por «;»")
                return nil
            }
            channels.insert(channel)
        }
        return channels
    }

    static func services(_ reader: inout CSVFieldReader) -> Set<UtilityService>? {
        let value = reader.text("services")
        guard reader.isWellFormed else { return nil }
        var services = Set<UtilityService>()
        var unknown: [String] = []
        for part in value.split(separator: ";") {
            let name = part.trimmingASCIISpaces()
            if name.isEmpty { continue }
            if let service = UtilityService(rawValue: CSVFieldReader.folded(name)) {
                services.insert(service)
            } else {
                unknown.append(name)
            }
        }
        if !unknown.isEmpty {
            let names = unknown.map { "«\(CSVFieldReader.echo($0))»" }.joined(separator: ", ")
            reader.fail("services", "\(names) no es un servicio válido; use energia, agua, alcantarillado o gas, separados por «;»")
            return nil
        }
        if services.isEmpty {
            reader.fail("services", "debe indicar al menos un servicio: energia, agua, alcantarillado o gas, separados por «;»")
            return nil
        }
        return services
    }
}
