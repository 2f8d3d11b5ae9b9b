import EmaCore
import Fluent
import Foundation
import Vapor

/// «Alternativas de pago» on Factura Web: the plans a contract may choose (instalment table), the
/// acceptance — the holder's name, a mobile number proven by an SMS code, and «Acepto» on the
/// plan's text — and the agreement's page, with its down payment's coupon.
struct AgreementController: RouteCollection {
    static let failuresPerAddress = RateLimit("acuerdos.codigo.direccion", limit: 10, window: 3_600)
    static let failuresPerNumber = RateLimit("acuerdos.codigo.numero", limit: 5, window: 3_600)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("factura", ":contract", "acuerdo", use: simulate)
        routes.post("factura", ":contract", "acuerdo", "codigo", use: sendCode)
        routes.post("factura", ":contract", "acuerdo", "aceptar", use: accept)
        routes.get("factura", "acuerdo", ":token", use: agreement)
    }

    struct Row: Encodable {
        let number: Int
        let payment: String
        let interest: String
        let principal: String
        let remaining: String
    }

    struct Choice: Encodable {
        let instalments: Int
        let label: String
        let selected: Bool
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        var contract = ""
        var holder = ""
        /// `simular`, `codigo`, or empty (not eligible: only `message`).
        var stage = ""
        var message: String?
        var balance = ""
        var overdue = ""
        var choices: [Choice] = []
        var instalments = 0
        var downPayment = ""
        var financed = ""
        var instalment = ""
        var rate = ""
        var totalInterest = ""
        var rows: [Row] = []
        var terms = ""
        var name = ""
        var phone = ""
        var shownPhone = ""
        var error: String?
        var errorField: String?
    }

    struct Form: Content {
        var cuotas: Int?
        var nombre: String?
        var celular: String?
        var codigo: String?
        var acepto: String?
    }

    func service(_ request: Request) -> AgreementService {
        let utility = request.application.utilityProfile
        return AgreementService(database: request.db, clock: request.application.clock, policy: utility?.agreements, coupons: utility?.coupons)
    }

    /// The page for `contract`: the plan of `instalments` (the longest offered when none is
    /// chosen), or the reason the contract cannot have one.
    func page(_ request: Request, contract typed: String, instalments: Int?, status: HTTPResponseStatus = .ok,
              _ change: (inout Page) -> Void = { _ in }) async throws -> Response {
        var page = Page(title: "Alternativas de pago · \(try request.utility().shortName)", utility: try request.utility())
        guard let number = ContractNumber.parse(typed) else { throw PaymentError.billNotFound }
        page.contract = number
        if let wait = try await ContractLookups(limits: request.rateLimits).admit(client: request.clientAddress, contract: number) {
            throw PlatformError.rateLimited(retryAfterSeconds: wait)
        }
        do {
            let offer = try await service(request).offer(contractNumber: number)
            let plan = offer.plans.first { $0.instalments == instalments } ?? offer.plans.last!
            page.stage = "simular"
            page.holder = Masking.name(offer.debt.contract.holderName)
            page.balance = Money.format(cop: offer.debt.balance)
            page.overdue = Money.format(cop: offer.debt.overdue)
            page.choices = offer.plans.map { Choice(instalments: $0.instalments, label: "\($0.instalments) cuotas de \(Money.format(cop: $0.instalment))", selected: $0 == plan) }
            page.instalments = plan.instalments
            page.downPayment = Money.format(cop: plan.downPayment)
            page.financed = Money.format(cop: plan.financed)
            page.instalment = Money.format(cop: plan.instalment)
            page.rate = SpanishNumber.decimal(plan.monthlyRatePercent, places: 2) + " % mensual"
            page.totalInterest = Money.format(cop: plan.totalInterest)
            page.rows = plan.rows.map {
                Row(number: $0.number, payment: Money.format(cop: $0.payment), interest: Money.format(cop: $0.interest),
                    principal: Money.format(cop: $0.principal), remaining: Money.format(cop: $0.remaining))
            }
            page.terms = AgreementService.terms(plan, contract: number)
        } catch AgreementService.Failure.ineligible(let reason) {
            page.message = reason.message
        } catch AgreementService.Failure.contractNotFound {
            page.message = "No encontramos el contrato \(number). Revisa el número en tu factura e inténtalo de nuevo."
            change(&page)
            return try await request.privatePage("acuerdo", page, status: .notFound)
        } catch AgreementService.Failure.unavailable {
            page.message = "Los acuerdos de pago en línea no están disponibles en este momento. Te atendemos en cualquiera de nuestras oficinas o por la línea de atención."
            change(&page)
            return try await request.privatePage("acuerdo", page, status: .serviceUnavailable)
        }
        change(&page)
        return try await request.privatePage("acuerdo", page, status: status)
    }

    @Sendable
    func simulate(request: Request) async throws -> Response {
        try await page(request, contract: request.parameters.get("contract") ?? "", instalments: try? request.query.get(Int.self, at: "cuotas"))
    }

    func form(_ request: Request) throws -> Form {
        try request.refuseFormFromAnotherSite()
        return (try? request.content.decode(Form.self)) ?? Form()
    }

    /// Checks the holder's name, then sends the code to the number given.
    @Sendable
    func sendCode(request: Request) async throws -> Response {
        let form = try form(request)
        let typed = request.parameters.get("contract") ?? ""
        let name = String((form.nombre ?? "").prefix(80))
        func again(_ field: String, _ message: String, _ status: HTTPResponseStatus) async throws -> Response {
            try await page(request, contract: typed, instalments: form.cuotas, status: status) {
                $0.name = name; $0.phone = form.celular ?? ""; $0.error = message; $0.errorField = field
            }
        }
        guard let number = ContractNumber.parse(typed),
              let contract = try await ContractDirectory(database: request.db).contract(number: number) else { throw PaymentError.billNotFound }
        guard PersonName.matches(name, holder: contract.holderName) else {
            return try await again("nombre", "Escribe el nombre completo del titular del contrato, como aparece en la factura.", .badRequest)
        }
        guard let phone = form.celular.flatMap(ColombianMobile.e164) else {
            return try await again("celular", "Escribe un celular colombiano de 10 dígitos, por ejemplo 300 123 4567.", .badRequest)
        }
        let issue = try await request.application.assistantEffects(client: request.clientAddress).sendCode(to: phone)
        let refusal = issue.refusal(shownPhone: ColombianMobile.display(phone), elsewhere: "Te atendemos en cualquiera de nuestras oficinas.")
        if issue.blocks { return try await again("celular", refusal ?? "", issue.status) }
        return try await page(request, contract: typed, instalments: form.cuotas) {
            $0.stage = $0.stage == "simular" ? "codigo" : $0.stage
            $0.name = name; $0.phone = phone; $0.shownPhone = ColombianMobile.display(phone); $0.message = refusal
        }
    }

    /// The code and «Acepto»: the agreement, then its page.
    @Sendable
    func accept(request: Request) async throws -> Response {
        let form = try form(request)
        let typed = request.parameters.get("contract") ?? ""
        let name = String((form.nombre ?? "").prefix(80))
        guard let phone = form.celular.flatMap(ColombianMobile.e164) else {
            return try await page(request, contract: typed, instalments: form.cuotas, status: .badRequest)
        }
        func again(_ field: String, _ message: String, _ status: HTTPResponseStatus) async throws -> Response {
            try await page(request, contract: typed, instalments: form.cuotas, status: status) {
                $0.stage = $0.stage == "simular" ? "codigo" : $0.stage
                $0.name = name; $0.phone = phone; $0.shownPhone = ColombianMobile.display(phone); $0.error = message; $0.errorField = field
            }
        }
        guard form.acepto == "si" else { return try await again("acepto", "Para hacer el acuerdo marca «Acepto» después de leer sus condiciones.", .badRequest) }
        let client = request.clientAddress
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, client), (Self.failuresPerNumber, "\(phone)|\(client)")])
        let checked = try await request.application.assistantEffects(client: client).checkCode(phone: phone, code: (form.codigo ?? "").filter(\.isNumber))
        if let problem = checked.problem { return try await again("codigo", problem, .badRequest) }
        try await attempt.succeeded()
        do {
            let agreement = try await service(request).accept(.init(
                contractNumber: typed, instalments: form.cuotas ?? 0, name: name, phone: phone, channel: "factura_web", client: client))
            return request.redirect(to: "/factura/acuerdo/\(agreement.token)", redirectType: .normal)
        } catch AgreementService.Failure.name {
            return try await again("nombre", "Escribe el nombre completo del titular del contrato, como aparece en la factura.", .badRequest)
        } catch AgreementService.Failure.instalments {
            return try await again("cuotas", "Elige uno de los planes de la lista.", .badRequest)
        } catch AgreementService.Failure.ineligible(let reason) {
            return try await page(request, contract: typed, instalments: form.cuotas, status: .conflict) { $0.message = reason.message }
        } catch AgreementService.Failure.changed {
            return try await page(request, contract: typed, instalments: form.cuotas, status: .conflict) {
                $0.message = "Tu saldo cambió mientras hacías el acuerdo (se aplicó un pago). Revisa el plan con el saldo de hoy y acéptalo de nuevo."
            }
        }
    }

    struct StatusPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let number: String
        let contract: String
        let holder: String
        let status: String
        let statusTitle: String
        let balance: String
        let downPayment: String
        let financed: String
        let instalments: Int
        let instalment: String
        let rate: String
        let firstPeriod: String?
        let coupon: String?
        let acceptedAt: String
        let rows: [Row]
    }

    @Sendable
    func agreement(request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        guard token.count == 32, let agreement = try await PaymentAgreement.query(on: request.db).filter(\.$token == token).with(\.$contract).first(),
              let plan = agreement.decodedPlan else { throw AgreementError.notFound }
        let standing = try await agreement.standing(today: request.application.clock.today, on: request.db)
        var coupon: String?
        if standing == .pending, let id = agreement.couponID { coupon = try await PaymentCoupon.find(id, on: request.db)?.reference }
        return try await request.privatePage("acuerdo-estado", StatusPage(
            title: "Acuerdo de pago \(agreement.number) · \(try request.utility().shortName)", utility: try request.utility(),
            number: agreement.number, contract: agreement.contract.contractNumber, holder: Masking.name(agreement.contract.holderName),
            status: standing.rawValue, statusTitle: standing.title, balance: Money.format(cop: plan.balance),
            downPayment: Money.format(cop: plan.downPayment), financed: Money.format(cop: plan.financed), instalments: plan.instalments,
            instalment: Money.format(cop: plan.instalment), rate: SpanishNumber.decimal(plan.monthlyRatePercent, places: 2) + " % mensual",
            firstPeriod: agreement.firstPeriod.flatMap(BillingPeriod.init)?.displayName, coupon: coupon,
            acceptedAt: SpanishDateTime.format(agreement.acceptedAt),
            rows: plan.rows.map { Row(number: $0.number, payment: Money.format(cop: $0.payment), interest: Money.format(cop: $0.interest),
                                      principal: Money.format(cop: $0.principal), remaining: Money.format(cop: $0.remaining)) }
        ))
    }
}
