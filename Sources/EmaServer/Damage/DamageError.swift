import Vapor

enum DamageError: EmaError {
    case descriptionLength
    case placeRequired
    case unknownService
    case invalidPhone
    case notFound
    case unknownStatus

    var status: HTTPResponseStatus { self == .notFound ? .notFound : .badRequest }

    var code: String {
        switch self {
        case .descriptionLength: "description_length"
        case .placeRequired: "damage_place_required"
        case .unknownService: "unknown_service"
        case .invalidPhone: "invalid_phone"
        case .notFound: "damage_report_not_found"
        case .unknownStatus: "unknown_status"
        }
    }

    var reason: String {
        switch self {
        case .descriptionLength: "Cuéntanos qué pasa con el servicio (entre 5 y 2.000 caracteres)."
        case .placeRequired: "Escribe la dirección del daño con el municipio y una referencia, para que la cuadrilla llegue."
        case .unknownService: "Elige el servicio que está fallando."
        case .invalidPhone: "El celular debe ser un número colombiano de 10 dígitos que empiece por 3."
        case .notFound: "No encontramos ese reporte de daño."
        case .unknownStatus: "Elige el estado del reporte de la lista."
        }
    }
}
