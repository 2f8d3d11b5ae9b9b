import EmaCore
import Foundation
import Vapor

/// `/solicitudes`: the billing requests of the self-service points on the web — separate bills
/// for a contract's services, and a voluntary contribution in the next bill. Each is filed as a
/// petición (radicado, code, the petición's term) for an agent to answer.
struct ServiceRequestController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("solicitudes", use: form)
        routes.post("solicitudes", use: submit)
    }

    struct FormValues: Content {
        var tipo: String?
        var contrato: String?
        var servicios: [String]?
        var valor: String?
        var nombre: String?
        var documento: String?
        var celular: String?
        var correo: String?
        var nota: String?
        var intento: String?
    }

    struct FormPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        /// The chosen request, or nil for the page that lets the customer choose.
        let kind: String?
        let kindTitle: String
        let purpose: String?
        let range: String?
        let services: [SelectOption]
        let values: FormValues
        let key: String
        var message: String?
        var errorField = ""
    }

    func page(_ request: Request, kind: ServiceRequest.Kind?, values: FormValues, message: String? = nil, field: String = "") async throws -> FormPage {
        let policy = request.application.utilityProfile?.contributions
        let chosen = Set(values.servicios ?? [])
        // The contract's own services when the page knows it; otherwise every service.
        var services = UtilityService.allCases
        if let number = values.contrato.flatMap({ ContractNumber.parse($0) }),
           let contract = try await ContractDirectory(database: request.db).contract(number: number), contract.serviceList.count >= 2 {
            services = contract.serviceList
        }
        return FormPage(
            title: (kind?.title ?? "Solicitudes de facturación") + " · \(request.application.utilityProfile?.shortName ?? "Ema")",
            utility: request.application.utilityProfile, kind: kind?.rawValue, kindTitle: kind?.title ?? "",
            purpose: policy?.purpose, range: policy.map { "entre \(Money.format(cop: $0.range.lowerBound)) y \(Money.format(cop: $0.range.upperBound))" },
            services: services.map { SelectOption(value: $0.rawValue, label: $0.displayName, selected: chosen.contains($0.rawValue)) },
            values: values, key: values.intento ?? SecureRandom.hex(16), message: message, errorField: field
        )
    }

    @Sendable
    func form(request: Request) async throws -> Response {
        var values = FormValues()
        values.contrato = request.query[String.self, at: "contrato"].flatMap { ContractNumber.parse($0) }
        let kind = request.query[String.self, at: "tipo"].flatMap(ServiceRequest.Kind.init(rawValue:))
        if kind == .aporteVoluntario, request.application.utilityProfile?.contributions == nil {
            return try await request.privatePage("solicitud", try await page(request, kind: nil, values: values, message: ServiceRequest.Problem.contributionsUnavailable.message),
                                                 status: .serviceUnavailable)
        }
        return try await request.privatePage("solicitud", try await page(request, kind: kind, values: values))
    }

    @Sendable
    func submit(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let values = (try? request.content.decode(FormValues.self)) ?? FormValues()
        guard let kind = values.tipo.flatMap(ServiceRequest.Kind.init(rawValue:)) else {
            return try await request.privatePage("solicitud", try await page(request, kind: nil, values: values, message: "Elige qué quieres solicitar."), status: .badRequest)
        }
        do {
            if let wait = try await request.rateLimits.take(PQRWebController.filingsPerClient, request.clientAddress) {
                let message = "Desde esta conexión ya se radicaron \(PQRWebController.filingsPerClient.limit) solicitudes en la última hora. Por seguridad, espera \(SpanishDuration.wait(seconds: wait)) para radicar otra, o llámanos a la línea de atención."
                return try await request.privatePage("solicitud", try await page(request, kind: kind, values: values, message: message), status: .tooManyRequests)
            }
            let draft = try await Self.draft(kind, values, request)
            let (filed, sms) = try await request.application.caseNotifier().file(draft)
            return try await request.privatePage("pqr-radicada", PQRWebController.FiledPage(
                title: "Solicitud radicada", utility: request.application.utilityProfile, radicado: filed.radicado,
                code: filed.code, dueDate: filed.dueOn.nameWithWeekday, typeTitle: "Petición · \(kind.title)", smsNote: PQRWebController.smsNote(sms)
            ))
        } catch let error as CaseError {
            return try await request.privatePage("solicitud", try await page(request, kind: kind, values: values, message: error.reason, field: error.field ?? ""),
                                                 status: error.status)
        }
    }

    /// The petición a form asks for: the contract looked up first, since what may be separated
    /// depends on the services it has.
    static func draft(_ kind: ServiceRequest.Kind, _ values: FormValues, _ request: Request) async throws -> CaseDraft {
        guard let typed = values.contrato, !typed.trimmingCharacters(in: .whitespaces).isEmpty else { throw CaseError.contractRequired }
        guard let number = ContractNumber.parse(typed), let contract = try await ContractDirectory(database: request.db).contract(number: number) else {
            throw CaseError.contractNotFound
        }
        let policy = request.application.utilityProfile?.contributions
        let serviceRequest: ServiceRequest
        do {
            switch kind {
            case .separacionCuentas:
                let chosen = (values.servicios ?? []).compactMap(UtilityService.init(rawValue:))
                serviceRequest = try ServiceRequest.separation(chosen, contractServices: contract.serviceList)
            case .aporteVoluntario:
                serviceRequest = try ServiceRequest.contribution(values.valor.flatMap(CouponPolicy.amount), policy: policy)
            }
        } catch {
            throw CaseError.serviceRequest(error)
        }
        var draft = CaseDraft(type: .peticion, channel: .pqrWeb,
                              description: serviceRequest.statement(contract: contract.contractNumber, note: values.nota, purpose: policy?.purpose))
        draft.contractNumber = contract.contractNumber
        draft.name = values.nombre
        draft.idNumber = values.documento
        draft.phone = values.celular
        draft.email = values.correo
        draft.submissionKey = values.intento
        draft.request = serviceRequest
        return draft
    }
}
