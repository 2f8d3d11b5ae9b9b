import Vapor

/// Errors of contracts and bills.
public enum BillingError: EmaError {
    case contractNotFound(String)

    public var status: HTTPResponseStatus {
        switch self {
        case .contractNotFound: .notFound
        }
    }

    public var code: String {
        switch self {
        case .contractNotFound: "contract_not_found"
        }
    }

    public var reason: String {
        switch self {
        case .contractNotFound(let number):
            "No existe un contrato con el número «\(number.prefix(20))». Los números de contrato tienen de 4 a 12 dígitos."
        }
    }
}
