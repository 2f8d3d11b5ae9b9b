import Vapor

/// Errors of Factura Web and the payment gateways.
enum PaymentError: EmaError {
    case billNotFound
    case alreadyPaid
    case paymentNotFound
    case gatewayUnavailable
    case invalidSignature
    case malformedEvent
    case invalidDecision
    case wompiNotConfigured
    /// No gateway on this node: Wompi is not configured and no sandbox stands in.
    case paymentsUnavailable
    /// A receipt exists only for an approved payment.
    case receiptNotReady

    var status: HTTPResponseStatus {
        switch self {
        case .billNotFound, .paymentNotFound, .wompiNotConfigured: .notFound
        case .alreadyPaid, .receiptNotReady: .conflict
        case .gatewayUnavailable, .paymentsUnavailable: .serviceUnavailable
        case .invalidSignature: .unauthorized
        case .malformedEvent, .invalidDecision: .badRequest
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
        case .invalidDecision: "invalid_decision"
        case .wompiNotConfigured: "wompi_not_configured"
        case .paymentsUnavailable: "payments_unavailable"
        case .receiptNotReady: "receipt_not_ready"
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
        case .invalidDecision: "Elige si el banco aprueba o rechaza el pago."
        case .wompiNotConfigured: "Los pagos con Wompi no están configurados en esta instalación."
        case .receiptNotReady: "El comprobante estará disponible cuando el banco apruebe el pago. Vuelve a la página del resultado del pago para ver cómo va."
        case .paymentsUnavailable: "El pago en línea no está disponible en este momento. Puedes pagar tu factura en los bancos y puntos de pago autorizados, o volver a intentarlo más tarde."
        }
    }
}
