import Vapor

/// Errors of Factura Web and the payment gateways.
enum PaymentError: EmaError {
    case billNotFound
    case alreadyPaid
    case paymentNotFound
    case gatewayUnavailable
    case invalidSignature
    case malformedEvent

    var status: HTTPResponseStatus {
        switch self {
        case .billNotFound, .paymentNotFound: .notFound
        case .alreadyPaid: .conflict
        case .gatewayUnavailable: .serviceUnavailable
        case .invalidSignature: .unauthorized
        case .malformedEvent: .badRequest
        }
    }

    var code: String {
        switch self {
        case .billNotFound: "bill_not_found"
        case .alreadyPaid: "bill_already_paid"
        case .paymentNotFound: "payment_not_found"
        case .gatewayUnavailable: "gateway_unavailable"
        case .invalidSignature: "invalid_signature"
        case .malformedEvent: "malformed_event"
        }
    }

    var reason: String {
        switch self {
        case .billNotFound: "No encontramos esa factura. Búscala de nuevo con tu número de contrato."
        case .alreadyPaid: "Esta factura ya está pagada. No tienes que pagarla de nuevo."
        case .paymentNotFound: "No encontramos ese pago. Si pagaste, revisa el estado de tu factura en Factura Web."
        case .gatewayUnavailable: "La pasarela de pagos no responde en este momento. Intenta de nuevo en unos minutos; no se hizo ningún cobro doble."
        case .invalidSignature: "La firma del evento no es válida."
        case .malformedEvent: "El evento no tiene la forma esperada."
        }
    }
}
