/// Why a customer who walks in is attended first: the preferential care the law asks of
/// anyone serving the public (Ley 1171 de 2007 for older adults; Decreto Ley 019 de 2012,
/// art. 13, for pregnant women and people with disabilities). `rawValue` is stored on the turn.
public enum PreferentialCare: String, CaseIterable, Sendable, Codable {
    case olderAdult = "persona_mayor"
    case pregnant = "embarazo"
    case disability = "discapacidad"

    public var title: String {
        switch self {
        case .olderAdult: "Persona mayor"
        case .pregnant: "Mujer embarazada"
        case .disability: "Persona con discapacidad"
        }
    }
}

/// How a turn came to be: booked online, or given at the office to someone who walked in
/// (generally or with preferential care). `rawValue` is the indicators' `origen:` dimension.
public enum TurnOrigin: String, CaseIterable, Sendable {
    case booked = "reservado"
    case walkIn = "sin_cita"
    case preferential = "preferencial"

    public var title: String {
        switch self {
        case .booked: "Con turno reservado"
        case .walkIn: "Sin cita"
        case .preferential: "Sin cita, atención preferencial"
        }
    }

    /// The letter of a walk-in's number on the screen (`G-017`, `P-003`); booked turns keep
    /// their code.
    public var letter: String {
        switch self {
        case .booked: "T"
        case .walkIn: "G"
        case .preferential: "P"
        }
    }
}
