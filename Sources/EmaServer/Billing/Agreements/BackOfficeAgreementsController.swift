import EmaCore
import Fluent
import Foundation
import Vapor

/// The agents' view of payment agreements: the latest ones (by state, or of one contract), each
/// with its plan and the proof of its acceptance, and «Cancelar» with a reason (audited).
struct BackOfficeAgreementsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let desk = routes.grouped("backoffice", "acuerdos").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        desk.get(use: list)
        desk.get(":number", use: detail)
        desk.post(":number", "cancelar", use: cancel)
    }

    struct Row: Encodable {
        let number: String
        let contract: String
        let status: String
        let statusTitle: String
        let balance: String
        let plan: String
        let acceptedAt: String
    }

    struct ListPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let rows: [Row]
        let view: String
        let contract: String
    }

    @Sendable
    func list(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let view = (try? request.query.get(String.self, at: "estado")).flatMap(PaymentAgreement.Status.init(rawValue:))
        let contract = ((try? request.query.get(String.self, at: "contrato")) ?? "").filter(\.isNumber)
        let query = PaymentAgreement.query(on: request.db).with(\.$contract).sort(\.$acceptedAt, .descending).limit(200)
        if let view, view != .expired { query.filter(\.$status == view.rawValue) }
        if let number = ContractNumber.parse(contract) {
            guard let found = try await ContractDirectory(database: request.db).contract(number: number) else {
                return try await request.view.render("backoffice/acuerdos", ListPage(title: "Acuerdos de pago", frame: .init(staff), rows: [], view: view?.rawValue ?? "", contract: contract))
            }
            query.filter(\.$contract.$id == (try found.requireID()))
        }
        let today = request.application.clock.today
        var rows: [Row] = []
        for agreement in try await query.all() {
            let state = try await agreement.standing(today: today, on: request.db)
            if let view, view == .expired || view == .pending, state != view { continue }
            rows.append(Row(number: agreement.number, contract: agreement.contract.contractNumber, status: state.rawValue, statusTitle: state.title,
                            balance: Money.format(cop: agreement.balanceCOP),
                            plan: "\(Money.format(cop: agreement.downPaymentCOP)) + \(agreement.instalments) × \(Money.format(cop: agreement.instalmentCOP))",
                            acceptedAt: SpanishDateTime.format(agreement.acceptedAt)))
        }
        return try await request.view.render("backoffice/acuerdos", ListPage(title: "Acuerdos de pago", frame: .init(staff), rows: rows,
                                                                           view: view?.rawValue ?? "", contract: contract))
    }

    struct DetailPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let number: String
        let contract: String
        let holder: String
        let status: String
        let statusTitle: String
        let cancellable: Bool
        let lines: [Line]
        let rows: [AgreementController.Row]
        var message: String?
    }

    struct Line: Encodable {
        let label: String
        let value: String
    }

    func find(_ request: Request) async throws -> PaymentAgreement {
        guard let agreement = try await PaymentAgreement.query(on: request.db).filter(\.$number == (request.parameters.get("number") ?? ""))
            .with(\.$contract).first() else { throw AgreementError.notFound }
        return agreement
    }

    @Sendable
    func detail(request: Request) async throws -> View {
        try await render(request, try await find(request))
    }

    func render(_ request: Request, _ agreement: PaymentAgreement, message: String? = nil) async throws -> View {
        let staff = try request.requireStaff()
        let state = try await agreement.standing(today: request.application.clock.today, on: request.db)
        let plan = agreement.decodedPlan
        var lines = [
            Line(label: "Deuda al aceptar", value: Money.format(cop: agreement.balanceCOP)),
            Line(label: "Cuota inicial", value: Money.format(cop: agreement.downPaymentCOP)),
            Line(label: "Financiado", value: Money.format(cop: agreement.financedCOP)),
            Line(label: "Cuotas", value: "\(agreement.instalments) de \(Money.format(cop: agreement.instalmentCOP)) · \(SpanishNumber.decimal(agreement.monthlyRatePercent, places: 2)) % mensual"),
            Line(label: "Aceptado", value: "\(SpanishDateTime.format(agreement.acceptedAt)) · \(agreement.acceptedName) · \(ColombianMobile.display(agreement.acceptedPhone)) · código SMS verificado · \(agreement.acceptedChannel == "factura_web" ? "Factura Web" : agreement.acceptedChannel)"),
            Line(label: "Huella del texto aceptado", value: String(agreement.acceptedDigest.prefix(16))),
        ]
        if let activated = agreement.activatedAt { lines.append(Line(label: "Activo desde", value: SpanishDateTime.format(activated))) }
        if let first = agreement.firstPeriod.flatMap(BillingPeriod.init) { lines.append(Line(label: "Primera cuota", value: "factura de \(first.displayName)")) }
        if let cancelled = agreement.cancelledAt {
            lines.append(Line(label: "Cancelado", value: "\(SpanishDateTime.format(cancelled)) · \(agreement.cancelledBy ?? "") · \(agreement.cancelReason ?? "")"))
        }
        return try await request.view.render("backoffice/acuerdo", DetailPage(
            title: "Acuerdo \(agreement.number)", frame: .init(staff), number: agreement.number, contract: agreement.contract.contractNumber,
            holder: agreement.contract.holderName, status: state.rawValue, statusTitle: state.title,
            cancellable: state == .active || state == .pending, lines: lines,
            rows: (plan?.rows ?? []).map { AgreementController.Row(number: $0.number, payment: Money.format(cop: $0.payment), interest: Money.format(cop: $0.interest),
                                                                   principal: Money.format(cop: $0.principal), remaining: Money.format(cop: $0.remaining)) },
            message: message
        ))
    }

    struct CancelForm: Content { var motivo: String? }

    @Sendable
    func cancel(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let agreement = try await find(request)
        let reason = ((try? request.content.decode(CancelForm.self))?.motivo ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 5 else { throw AgreementError.cancelReasonRequired }
        let service = AgreementService(database: request.db, clock: request.application.clock, policy: nil, coupons: nil)
        let application = request.application
        let cancelled = try await service.cancel(number: agreement.number, by: staff.email, reason: String(reason.prefix(300))) { tx in
            try await application.staffService(database: tx).audit(staff.accountID, email: staff.email, "acuerdo_cancelado",
                                                                   subject: agreement.number, detail: String(reason.prefix(300)))
        }
        let fresh = try await find(request)
        return try await render(request, fresh, message: cancelled ? "Acuerdo cancelado: la deuda que financiaba vuelve a estar en las facturas del contrato."
                                                                   : "Este acuerdo ya no estaba en curso; no se cambió nada.").encodeResponse(for: request)
    }
}
