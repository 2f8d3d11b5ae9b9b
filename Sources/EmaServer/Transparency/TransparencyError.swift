import Vapor

enum TransparencyError: EmaError {
    case whatRequired
    case notFound
    case answerLength

    var status: HTTPResponseStatus { self == .notFound ? .notFound : .badRequest }
    var code: String {
        switch self {
        case .whatRequired: "report_what_required"
        case .notFound: "report_not_found"
        case .answerLength: "answer_length"
        }
    }
    var reason: String {
        switch self {
        case .whatRequired: "Cuéntanos qué pasó (al menos 20 caracteres): es lo único obligatorio."
        case .notFound: "No encontramos una denuncia con ese código y esa clave. Revisa los dos."
        case .answerLength: "Escribe la respuesta para quien denunció (entre 10 y 5.000 caracteres)."
        }
    }
}
