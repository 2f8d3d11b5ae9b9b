/// Whether the billing system still bills a contract.
public enum ContractStatus: String, CaseIterable, Sendable, Codable {
    case activo
    case inactivo
}
