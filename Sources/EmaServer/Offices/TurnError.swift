import Vapor

enum TurnError: EmaError {
    case unknownOffice, unknownSlot, full, notFound, invalidPhone

    var status: HTTPResponseStatus {
        switch self {
        case .full: .conflict
        case .notFound: .notFound
        default: .badRequest
        }
    }

    var code: String {
        switch self {
        case .unknownOffice: "unknown_office"
        case .unknownSlot: "unknown_slot"
        case .full: "slot_full"
        case .notFound: "turn_not_found"
        case .invalidPhone: "invalid_phone"
        }
    }

    var reason: String {
        switch self {
        case .unknownOffice: "Elige una de las oficinas que dan turnos."
        case .unknownSlot: "Elige un día y una hora de la lista (los próximos días hábiles, de 8:00 a. m. a 4:30 p. m.)."
        case .full: "Ese horario se llenó mientras elegías. Elige otra hora, por favor."
        case .notFound: "No encontramos un turno activo con ese código."
        case .invalidPhone: "El celular debe ser un número colombiano de 10 dígitos que empiece por 3."
        }
    }
}
