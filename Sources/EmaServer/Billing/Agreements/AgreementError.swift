import Vapor

/// Errors of payment agreements.
enum AgreementError: EmaError {
    case notFound
    case cancelReasonRequired

    var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .cancelReasonRequired: .badRequest
        }
    }

    var code: String {
        switch self {
        case .notFound: "agreement_not_found"
        case .cancelReasonRequired: "cancel_reason_required"
        }
    }

    var reason: String {
        switch self {
        case .notFound: "No encontramos ese acuerdo de pago. Revisa el enlace o consulta tu contrato en Factura Web."
        case .cancelReasonRequired: "Escribe el motivo de la cancelación: queda en el acuerdo y lo verá el cliente si pregunta."
        }
    }
}
