import EmaCore
import Fluent
import Vapor

/// Operators' view of a contract: `GET /api/v1/admin/contracts/{number}`.
struct AdminContractsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "contracts", ":number", use: show)
        routes.get("admin", "phones", ":phone", "enrollments", use: phoneEnrollments)
        routes.get("admin", "deliveries", use: deliveries)
    }

    /// `GET /api/v1/admin/deliveries?period=2026-11` →
    /// `{"deliveries":[{"contractNumber":"10234567","phone":"+573001234567","status":"sent","failureCause":null}]}`.
    @Sendable
    func deliveries(request: Request) async throws -> AdminDeliveriesDTO {
        guard let text = request.query[String.self, at: "period"], let period = BillingPeriod(text) else {
            throw BillingError.invalidPeriod
        }
        let rows = try await Delivery.query(on: request.db).filter(\.$period == period.description)
            .with(\.$invoice) { $0.with(\.$contract) }.sort(\.$createdAt).all()
        return AdminDeliveriesDTO(deliveries: rows.map {
            .init(contractNumber: $0.invoice.contract.contractNumber, phone: $0.phone, status: $0.status, failureCause: $0.failureCause)
        })
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
    ///   "billChannels":["impresa"],"paperReasons":["canal_habitual"],
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
            billChannels: contract.billChannelList.map(\.rawValue),
            paperReasons: try await request.application.paperList().reasons(contract).map(\.rawValue),
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
    /// The last close found no WhatsApp delivery: the next bill goes on paper for that reason.
    let paperInvoice: Bool
    /// How the billing system sends the bill (`impresa`, `correo`).
    let billChannels: [String]
    /// Why the coming bill goes on paper (`PaperBillPolicy.Reason` codes); empty: it does not.
    let paperReasons: [String]
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

struct AdminDeliveriesDTO: Content {
    struct Item: Content {
        let contractNumber: String
        let phone: String
        let status: String
        let failureCause: String?

        enum CodingKeys: String, CodingKey { case contractNumber, phone, status, failureCause }

        // failureCause is always present, null when there is none (interfaces.md).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(contractNumber, forKey: .contractNumber)
            try container.encode(phone, forKey: .phone)
            try container.encode(status, forKey: .status)
            try container.encode(failureCause, forKey: .failureCause)
        }
    }

    let deliveries: [Item]
}
