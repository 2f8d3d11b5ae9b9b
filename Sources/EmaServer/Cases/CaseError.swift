import EmaCore
import Vapor

/// What can be wrong with a PQR, in words a customer or an agent understands, with a stable code.
enum CaseError: EmaError {
    case descriptionLength
    case nameRequired
    case anonymousNotAllowed(CaseType)
    case contractRequired
    case contractNotFound
    case invalidPhone
    case invalidEmail
    case unknownType
    case unknownCausal
    case unknownChannel
    case unknownMunicipality
    case invoiceNotFound
    case claimExtemporaneous(deadline: String)
    case parentRequired
    case appealNotAllowed
    case appealWindowClosed(until: String)
    case tooManyAttachments
    case attachmentTooLarge(name: String)
    case attachmentType(name: String)
    case caseNotFound
    case notYours
    case alreadyAnswered
    case answerLength
    case extensionNotAllowed
    case surveyNotOpen
    case invalidScore
    case unknownService
    case noteLength
    case reasonLength
    case decisionRequired
    /// An agent answers only a case they took (so two agents never answer it at once).
    case takeFirst
    case unknownStaff
    case placeRequired
    case invalidRequest
    /// A billing request that cannot be made as asked (a one-service contract, an amount out of range).
    case serviceRequest(ServiceRequest.Problem)

    var status: HTTPResponseStatus {
        switch self {
        case .caseNotFound, .contractNotFound, .invoiceNotFound: .notFound
        case .notYours: .forbidden
        case .takeFirst: .conflict
        case .alreadyAnswered, .surveyNotOpen: .conflict
        case .attachmentTooLarge, .tooManyAttachments: .payloadTooLarge
        default: .badRequest
        }
    }

    var code: String {
        switch self {
        case .descriptionLength: "description_length"
        case .nameRequired: "name_required"
        case .anonymousNotAllowed: "anonymous_not_allowed"
        case .contractRequired: "contract_required"
        case .contractNotFound: "contract_not_found"
        case .invalidPhone: "invalid_phone"
        case .invalidEmail: "invalid_email"
        case .unknownType: "unknown_case_type"
        case .unknownCausal: "unknown_causal"
        case .unknownChannel: "unknown_channel"
        case .unknownMunicipality: "unknown_municipality"
        case .invoiceNotFound: "invoice_not_found"
        case .claimExtemporaneous: "claim_extemporaneous"
        case .parentRequired: "appeal_parent_required"
        case .appealNotAllowed: "appeal_not_allowed"
        case .appealWindowClosed: "appeal_window_closed"
        case .tooManyAttachments: "too_many_attachments"
        case .attachmentTooLarge: "attachment_too_large"
        case .attachmentType: "attachment_type"
        case .caseNotFound: "case_not_found"
        case .notYours: "case_not_yours"
        case .alreadyAnswered: "case_already_answered"
        case .answerLength: "answer_length"
        case .extensionNotAllowed: "extension_not_allowed"
        case .surveyNotOpen: "survey_not_open"
        case .invalidScore: "invalid_score"
        case .unknownService: "unknown_service"
        case .noteLength: "note_length"
        case .reasonLength: "reason_length"
        case .decisionRequired: "decision_required"
        case .takeFirst: "take_first"
        case .unknownStaff: "unknown_staff"
        case .placeRequired: "place_required"
        case .invalidRequest: "invalid_request"
        case .serviceRequest(.singleService): "single_service_contract"
        case .serviceRequest(.contributionsUnavailable): "contributions_unavailable"
        case .serviceRequest(.servicesRequired), .serviceRequest(.unknownService): "request_services"
        case .serviceRequest: "contribution_amount"
        }
    }

    var reason: String {
        switch self {
        case .descriptionLength: "Cuéntanos tu solicitud en al menos 10 caracteres (y no más de 5.000)."
        case .nameRequired: "Escribe tu nombre completo, o marca la opción de presentarla de forma anónima si el tipo de solicitud lo permite."
        case .anonymousNotAllowed(let type): "No es posible presentar \(type.withArticle) de forma anónima: necesitamos saber quién es el titular para responderle. Escribe tu nombre."
        case .contractRequired: "Para este tipo de solicitud necesitamos el número de contrato. Lo encuentras en tu factura como «Contrato»."
        case .contractNotFound: "No encontramos ese número de contrato. Revísalo en tu factura (aparece como «Contrato»)."
        case .invalidPhone: "El celular debe ser un número colombiano de 10 dígitos que empiece por 3, por ejemplo 300 123 4567."
        case .invalidEmail: "El correo electrónico no parece válido. Revísalo, por ejemplo nombre@correo.com."
        case .unknownType: "Elige el tipo de solicitud de la lista."
        case .unknownCausal: "Elige el motivo de la lista."
        case .unknownChannel: "Elige el canal por el que llegó la solicitud."
        case .unknownMunicipality: "No atendemos en ese municipio: elige uno de la lista."
        case .invoiceNotFound: "No encontramos esa factura en el contrato indicado. Revisa el número en tu factura."
        case .claimExtemporaneous(let deadline): "Esta factura ya no se puede reclamar: la ley permite reclamar una factura dentro de los cinco meses siguientes a su expedición, y el plazo terminó el \(deadline). Si tienes dudas, llámanos y te orientamos."
        case .parentRequired: "Un recurso se presenta contra una respuesta: escribe el radicado de la solicitud cuya decisión quieres recurrir."
        case .appealNotAllowed: "Esa solicitud no tiene una decisión que se pueda recurrir, o no corresponde a este contrato."
        case .appealWindowClosed(let until): "El plazo para presentar el recurso contra esa decisión terminó el \(until) (cinco días hábiles después de la notificación)."
        case .tooManyAttachments: "Puedes adjuntar hasta \(CaseService.maxAttachments) archivos."
        case .attachmentTooLarge(let name): "El archivo «\(name)» supera los 5 MB. Redúcelo o envíalo en partes."
        case .attachmentType(let name): "El archivo «\(name)» no es un PDF, JPG o PNG. Solo recibimos esos formatos."
        case .caseNotFound: "No encontramos esa solicitud."
        case .notYours: "Esta solicitud está asignada a otra persona. Pídele a un supervisor que te la asigne si debes atenderla."
        case .alreadyAnswered: "Esta solicitud ya fue respondida."
        case .answerLength: "Escribe la respuesta (entre 20 y 10.000 caracteres)."
        case .extensionNotAllowed: "Esta solicitud no admite prórroga: o su término no es prorrogable (Ley 142, art. 158), o ya se prorrogó, o el término ya venció."
        case .surveyNotOpen: "La encuesta de esta solicitud no está disponible o ya fue respondida. ¡Gracias!"
        case .invalidScore: "Califica la atención con un número del 1 al 5."
        case .unknownService: "Elige el servicio de la lista."
        case .noteLength: "Escribe la nota interna (entre 2 y 5.000 caracteres)."
        case .reasonLength: "Escribe el motivo de la prórroga (entre 10 y 2.000 caracteres): se le cuenta al cliente."
        case .decisionRequired: "Elige la decisión de la respuesta."
        case .takeFirst: "Toma el caso antes de responderlo: así nadie más lo responde a la vez."
        case .unknownStaff: "Elige de la lista a quién asignar la solicitud."
        case .placeRequired: "Elige tu municipio de la lista, o escribe el número de tu contrato."
        case .invalidRequest: "La solicitud no es un JSON válido: «type» y «description» son obligatorios; «anonymous» y «priority» son verdadero o falso."
        case .serviceRequest(let problem): problem.message
        }
    }
}

extension CaseError {
    /// A problem of the intake's checks, as the error the channels show.
    init(_ problem: CaseIntake.Problem) {
        switch problem {
        case .descriptionLength: self = .descriptionLength
        case .nameRequired: self = .nameRequired
        case .anonymousNotAllowed(let type): self = .anonymousNotAllowed(type)
        case .invalidPhone: self = .invalidPhone
        case .invalidEmail: self = .invalidEmail
        case .unknownCausal: self = .unknownCausal
        case .unknownService: self = .unknownService
        case .tooManyAttachments: self = .tooManyAttachments
        case .unknownMunicipality: self = .unknownMunicipality
        case .contractRequired: self = .contractRequired
        case .placeRequired: self = .placeRequired
        }
    }

    /// The field of PQR Web's form the error is about (its `id`), to show it beside that field.
    var field: String? {
        switch self {
        case .descriptionLength: "descripcion"
        case .nameRequired: "nombre"
        case .anonymousNotAllowed: "anonimo"
        case .contractRequired, .contractNotFound: "contrato"
        case .invalidPhone: "celular"
        case .invalidEmail: "correo"
        case .unknownType: "tipo"
        case .unknownCausal: "tema"
        case .unknownService: "servicio"
        case .unknownMunicipality, .placeRequired: "municipio"
        case .invoiceNotFound, .claimExtemporaneous: "factura"
        case .parentRequired, .appealNotAllowed, .appealWindowClosed: "recurrido"
        case .tooManyAttachments, .attachmentTooLarge, .attachmentType: "adjuntos"
        case .serviceRequest(.servicesRequired), .serviceRequest(.unknownService), .serviceRequest(.singleService): "servicios"
        case .serviceRequest: "valor"
        default: nil
        }
    }
}
