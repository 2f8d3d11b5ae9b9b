import EmaCore
import Fluent
import Vapor

/// Operators' view of a contract: `GET /api/v1/admin/contracts/{number}`.
struct AdminContractsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "contracts", ":number", use: show)
    }

    /// Example: `GET /api/v1/admin/contracts/10234567` with `Authorization: Bearer …` →
    /// `{"contractNumber":"10234567","segment":"hogares","municipality":"Medellín","paperInvoice":false,
    ///   "status":"activo","services":["energia","agua"],"enrollments":[]}`; 404 `contract_not_found`.
    @Sendable
    func show(request: Request) async throws -> AdminContractDTO {
        let number = request.parameters.get("number") ?? ""
        guard ContractNumber.isValid(number),
              let contract = try await Contract.query(on: request.db).filter(\.$contractNumber == number).first()
        else { throw BillingError.contractNotFound(number) }
        return AdminContractDTO(
            contractNumber: contract.contractNumber,
            segment: contract.segment,
            municipality: contract.municipality,
            paperInvoice: contract.paperInvoice,
            status: contract.status,
            services: contract.serviceList.map(\.rawValue),
            // WhatsApp enrollments arrive with the enrollment flow; until then a contract has none.
            enrollments: []
        )
    }
}

struct AdminContractDTO: Content {
    struct Enrollment: Content {
        let phone: String
        let status: String
        let consecutiveFailedPeriods: Int
    }

    let contractNumber: String
    let segment: String
    let municipality: String
    let paperInvoice: Bool
    let status: String
    let services: [String]
    let enrollments: [Enrollment]
}
