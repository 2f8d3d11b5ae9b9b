/// What a satisfaction survey asks about. `rawValue` is what `survey_responses` stores.
public enum SurveyKind: String, CaseIterable, Sendable {
    case chat, queja, oficina, campana

    public var title: String {
        switch self {
        case .chat: "Chat con asesor"
        case .queja: "Quejas respondidas"
        case .oficina: "Atención en oficinas"
        case .campana: "Encuesta periódica"
        }
    }
}
