/// The market segment a contract belongs to, as the utility's CRM classifies its customers.
public enum Segment: String, CaseIterable, Sendable, Codable {
    case hogares
    case empresas
    case grandesClientes = "grandes_clientes"
    case gobierno

    /// The name a person reads.
    public var displayName: String {
        switch self {
        case .hogares: "Hogares"
        case .empresas: "Empresas"
        case .grandesClientes: "Grandes clientes"
        case .gobierno: "Gobierno"
        }
    }
}
