/// A public service the utility provides on a contract.
public enum UtilityService: String, CaseIterable, Sendable, Codable {
    case energia
    case agua
    case alcantarillado
    case gas

    public var displayName: String {
        switch self {
        case .energia: "Energía"
        case .agua: "Agua"
        case .alcantarillado: "Alcantarillado"
        case .gas: "Gas"
        }
    }

    /// The canonical storage form of a set of services: `;`-separated, in declaration order.
    public static func encode(_ services: Set<UtilityService>) -> String {
        allCases.filter(services.contains).map(\.rawValue).joined(separator: ";")
    }

    /// Reads the storage form back; unknown names are ignored.
    public static func decode(_ text: String) -> [UtilityService] {
        let names = Set(text.split(separator: ";").map(String.init))
        return allCases.filter { names.contains($0.rawValue) }
    }
}
