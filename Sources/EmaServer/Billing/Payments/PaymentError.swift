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
    case couponNotFound
    case couponExpired
    case couponPaid
    /// The balance fell below the coupon's amount (another payment) since it was made.
    case couponStale
    /// The utility has no coupon rules (`coupons` in utility.json).
    case couponsUnavailable

    var status: HTTPResponseStatus {
        switch self {
        case .billNotFound, .paymentNotFound, .wompiNotConfigured, .couponNotFound: .notFound
        case .alreadyPaid, .receiptNotReady, .couponExpired, .couponPaid, .couponStale: .conflict
        case .gatewayUnavailable, .paymentsUnavailable, .couponsUnavailable: .serviceUnavailable
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
        case .couponNotFound: "coupon_not_found"
        case .couponExpired: "coupon_expired"
        case .couponPaid: "coupon_paid"
        case .couponStale: "coupon_stale"
        case .couponsUnavailable: "coupons_unavailable"
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
        case .couponNotFound: "No encontramos ese cupón. Revisa la referencia o genera uno nuevo en Factura Web con tu número de contrato."
        case .couponExpired: "Este cupón ya venció. Genera uno nuevo en Factura Web con tu número de contrato: toma un momento."
        case .couponPaid: "Este cupón ya está pagado. No tienes que pagarlo de nuevo."
        case .couponStale: "Tu saldo cambió desde que generaste este cupón (ya se aplicó otro pago) y ahora es menor que su valor. Genera un cupón nuevo con el saldo de hoy."
        case .couponsUnavailable: "Los cupones de pago no están disponibles en este momento. Puedes pagar tu factura completa en línea o en los bancos y puntos de pago autorizados."
        case .paymentsUnavailable: "El pago en línea no está disponible en este momento. Puedes pagar tu factura en los bancos y puntos de pago autorizados, o volver a intentarlo más tarde."
        }
    }
}
