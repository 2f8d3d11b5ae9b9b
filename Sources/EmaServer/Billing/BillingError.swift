import Vapor

/// Errors of contracts and bills.
public enum BillingError: EmaError {
    case contractNotFound(String)
    case phoneNotFound
    case billLinkInvalid
    case invalidPeriod
    /// Bills cannot go out: no WhatsApp is configured (and no sandbox stands in).
    case whatsAppUnavailable

    public var status: HTTPResponseStatus {
        switch self {
        case .contractNotFound, .phoneNotFound, .billLinkInvalid: .notFound
        case .invalidPeriod: .badRequest
        case .whatsAppUnavailable: .serviceUnavailable
        }
    }

    public var code: String {
        switch self {
        case .contractNotFound: "contract_not_found"
        case .phoneNotFound: "phone_not_found"
        case .billLinkInvalid: "bill_link_invalid"
        case .invalidPeriod: "invalid_period"
        case .whatsAppUnavailable: "whatsapp_unavailable"
        }
    }

    public var reason: String {
        switch self {
        case .contractNotFound(let number):
            "No existe un contrato con el número «\(number.prefix(20))». Los números de contrato tienen de 4 a 12 dígitos."
        case .invalidPeriod:
            "Indique el periodo como AAAA-MM, por ejemplo ?period=2026-11."
        case .billLinkInvalid:
            "Este enlace a la factura no es válido o ya venció. Puedes consultar y descargar tu factura en Factura Web o pedírsela a Ema."
        case .whatsAppUnavailable:
            "El envío por WhatsApp no está disponible: falta configurar WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID y WHATSAPP_APP_SECRET (o, solo para pruebas, EMA_SANDBOX=on). No se puso nada en cola."
        case .phoneNotFound:
            "Ese número no tiene ni ha tenido contratos inscritos a Tu factura por WhatsApp (escríbalo en formato E.164, +573001234567)."
        }
    }
}
