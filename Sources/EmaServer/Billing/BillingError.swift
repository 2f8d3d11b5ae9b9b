import Vapor

/// Errors of contracts and bills.
public enum BillingError: EmaError {
    case contractNotFound(String)
    case phoneNotFound

    public var status: HTTPResponseStatus {
        switch self {
        case .contractNotFound, .phoneNotFound: .notFound
        }
    }

    public var code: String {
        switch self {
        case .contractNotFound: "contract_not_found"
        case .phoneNotFound: "phone_not_found"
        }
    }

    public var reason: String {
        switch self {
        case .contractNotFound(let number):
            "No existe un contrato con el número «\(number.prefix(20))». Los números de contrato tienen de 4 a 12 dígitos."
        case .phoneNotFound:
            "Ese número no tiene ni ha tenido contratos inscritos a Tu factura por WhatsApp (escríbalo en formato E.164, +573001234567)."
        }
    }
}
