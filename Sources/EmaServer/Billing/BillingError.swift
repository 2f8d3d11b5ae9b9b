import Vapor

/// Errors of contracts and bills.
public enum BillingError: EmaError {
    case contractNotFound(String)
    case phoneNotFound
    case billLinkInvalid

    public var status: HTTPResponseStatus {
        switch self {
        case .contractNotFound, .phoneNotFound, .billLinkInvalid: .notFound
        }
    }

    public var code: String {
        switch self {
        case .contractNotFound: "contract_not_found"
        case .billLinkInvalid:
            "Este enlace a la factura no es válido o ya venció. Puedes consultar y descargar tu factura en Factura Web o pedírsela a Ema."
        case .phoneNotFound: "phone_not_found"
        case .billLinkInvalid: "bill_link_invalid"
        }
    }

    public var reason: String {
        switch self {
        case .contractNotFound(let number):
            "No existe un contrato con el número «\(number.prefix(20))». Los números de contrato tienen de 4 a 12 dígitos."
        case .billLinkInvalid:
            "Este enlace a la factura no es válido o ya venció. Puedes consultar y descargar tu factura en Factura Web o pedírsela a Ema."
        case .phoneNotFound:
            "Ese número no tiene ni ha tenido contratos inscritos a Tu factura por WhatsApp (escríbalo en formato E.164, +573001234567)."
        }
    }
}
