import EmaCore
import Fluent
import Vapor

/// Operators' view of a contract: `GET /api/v1/admin/contracts/{number}`.
struct AdminContractsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "contracts", ":number", use: show)
        routes.get("admin", "phones", ":phone", "enrollments", use: phoneEnrollments)
    }

    /// `GET /api/v1/admin/phones/{e164}/enrollments` →
    /// `{"phone":"+573001234567","holderName":"…","enrollments":[{"contractNumber":"10234567","status":"active"}]}`;
    /// 404 `phone_not_found` when the number never enrolled a contract.
    @Sendable
    func phoneEnrollments(request: Request) async throws -> AdminPhoneDTO {
        let raw = (request.parameters.get("phone") ?? "").removingPercentEncoding ?? ""
        guard let phone = ColombianMobile.e164(raw),
              let holder = try await WhatsAppHolder.find(phone, on: request.db)
        else { throw BillingError.phoneNotFound }
        let enrollments = try await Enrollment.query(on: request.db).filter(\.$phone == phone).with(\.$contract).sort(\.$createdAt).all()
        return AdminPhoneDTO(
            phone: phone, holderName: holder.holderName,
            enrollments: enrollments.map { .init(contractNumber: $0.contract.contractNumber, status: $0.status) }
        )
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
            enrollments: try await Enrollment.query(on: request.db).filter(\.$contract.$id == contract.requireID()).sort(\.$createdAt).all()
                .map { .init(phone: $0.phone, status: $0.status, consecutiveFailedPeriods: $0.consecutiveFailedPeriods) }
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

struct AdminPhoneDTO: Content {
    struct Enrollment: Content {
        let contractNumber: String
        let status: String
    }

    let phone: String
    let holderName: String
    let enrollments: [Enrollment]
}
