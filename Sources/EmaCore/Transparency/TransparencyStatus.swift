/// Where a Contacto Transparente report stands. `rawValue` is what `transparency_reports` stores.
public enum TransparencyStatus: String, CaseIterable, Codable, Sendable {
    case received = "recibida"
    case answered = "respondida"

    /// What the reporter reads when looking it up.
    public var publicTitle: String { self == .answered ? "Respondida" : "Recibida, en revisión" }
}
