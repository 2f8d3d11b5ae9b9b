import EmaCore
import Fluent
import Foundation
import Vapor

/// `/somos/reestructuracion/{enlace}`: from the SOMOS page, once the card's mobile proved itself
/// (the same signed 30-minute link as the certificates), the holder simulates a new plan for the
/// card's debt — an optional abono first, then the instalments the utility offers — and accepts
/// its exact text. One in force per card.
struct SomosRestructuringController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("somos", "reestructuracion", ":token", use: simulate)
        routes.post("somos", "reestructuracion", ":token", use: accept)
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        let token: String
        let last4: String
        let balance: String
        let choices: [SelectOption]
        var abono = ""
        /// `simular`, `plan` (a plan to accept), `vigente` (one in force) or `aceptada`.
        var stage = "simular"
        var plan: PlanView?
        var text = ""
        var digest = ""
        var number = ""
        var error: String?
    }

    struct PlanView: Encodable {
        let abono: String
        let financed: String
        let instalments: Int
        let instalment: String
        let rate: String
        let totalInterest: String
        let rows: [AgreementController.Row]
        let status: String?
    }

    struct Form: Content {
        var abono: String?
        var cuotas: Int?
        var texto: String?
        var acepto: String?
    }

    /// The card behind the link, its debt today and the utility's policy.
    func context(_ request: Request) async throws -> (card: SomosStore.Card, balance: Int64, policy: SomosRestructuringPolicy, token: String) {
        let token = request.parameters.get("token") ?? ""
        guard let policy = request.application.utilityProfile?.somos?.restructuring else { throw SomosError.restructuringUnavailable }
        guard let id = try await SomosController.links.read(token, now: request.application.clock.now(), request.db),
              let card = try await SomosStore(database: request.db).card(id: id) else { throw PrepaidError.linkExpired }
        let movements = try await SomosStore(database: request.db).movements(of: card)
        return (card, SomosStatement.balance(movements, on: request.application.clock.today), policy, token)
    }

    func page(_ request: Request, _ context: (card: SomosStore.Card, balance: Int64, policy: SomosRestructuringPolicy, token: String),
              cuotas: Int?, status: HTTPResponseStatus = .ok, _ change: (inout Page) -> Void = { _ in }) async throws -> Response {
        var page = Page(
            title: "Reestructurar tu tarjeta SOMOS · \(try request.utility().shortName)", utility: try request.utility(), token: context.token,
            last4: context.card.last4, balance: Money.format(cop: context.balance),
            choices: context.policy.instalments.map { SelectOption(value: String($0), label: "\($0) cuotas", selected: $0 == cuotas) }
        )
        if let current = try await SomosRestructurings.inForce(card: context.card.id, on: request.db) {
            page.stage = "vigente"
            page.number = current.number
            page.plan = Self.view(AgreementPlan(balance: current.balance_cop, downPayment: current.abono_cop, instalments: current.instalments,
                                                monthlyRatePercent: current.monthly_rate), status: SomosRestructurings.Status(rawValue: current.status)?.title)
        }
        change(&page)
        return try await request.privatePage("somos-reestructuracion", page, status: status)
    }

    static func view(_ plan: AgreementPlan, status: String? = nil) -> PlanView {
        PlanView(abono: Money.format(cop: plan.downPayment), financed: Money.format(cop: plan.financed), instalments: plan.instalments,
                 instalment: Money.format(cop: plan.instalment), rate: SpanishNumber.decimal(plan.monthlyRatePercent, places: 2) + " % mensual",
                 totalInterest: Money.format(cop: plan.totalInterest),
                 rows: plan.rows.map { .init(number: $0.number, payment: Money.format(cop: $0.payment), interest: Money.format(cop: $0.interest),
                                             principal: Money.format(cop: $0.principal), remaining: Money.format(cop: $0.remaining)) },
                 status: status)
    }

    /// The plan a form asks for, or the problem in the customer's words.
    static func plan(_ form: Form, balance: Int64, policy: SomosRestructuringPolicy) -> Result<AgreementPlan, String> {
        let typed = (form.abono ?? "").trimmingCharacters(in: .whitespaces)
        guard let abono = typed.isEmpty ? 0 : CouponPolicy.amount(typed) else {
            return .failure("Escribe el abono en pesos, solo con números (por ejemplo 100.000), o déjalo en blanco.")
        }
        do {
            return .success(try policy.plan(balance: balance, abono: abono, instalments: form.cuotas ?? 0))
        } catch {
            return .failure(error.message)
        }
    }

    @Sendable
    func simulate(request: Request) async throws -> Response {
        let context = try await context(request)
        let form = (try? request.query.decode(Form.self)) ?? Form()
        guard form.cuotas != nil else { return try await page(request, context, cuotas: nil) }
        return try await show(request, context, form)
    }

    func show(_ request: Request, _ context: (card: SomosStore.Card, balance: Int64, policy: SomosRestructuringPolicy, token: String), _ form: Form,
              error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        switch Self.plan(form, balance: context.balance, policy: context.policy) {
        case .failure(let problem):
            return try await page(request, context, cuotas: form.cuotas, status: .badRequest) { $0.abono = form.abono ?? ""; $0.error = problem }
        case .success(let plan):
            let text = SomosRestructuringPolicy.text(plan, last4: context.card.last4, utility: try request.utility().legalName)
            return try await page(request, context, cuotas: form.cuotas, status: status) { page in
                guard page.stage != "vigente" else { return }
                page.stage = "plan"; page.abono = form.abono ?? ""; page.plan = Self.view(plan); page.text = text; page.digest = Hex.sha256(text)
                page.error = error
            }
        }
    }

    @Sendable
    func accept(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let context = try await context(request)
        let form = (try? request.content.decode(Form.self)) ?? Form()
        guard case .success(let plan) = Self.plan(form, balance: context.balance, policy: context.policy) else { return try await show(request, context, form) }
        let text = SomosRestructuringPolicy.text(plan, last4: context.card.last4, utility: try request.utility().legalName)
        // The text accepted is the one shown: a debt that changed meanwhile shows the new plan.
        guard form.acepto == "si", form.texto == Hex.sha256(text) else {
            let problem = form.acepto == "si" ? "Tu deuda cambió mientras leías: revisa el plan actualizado y acéptalo de nuevo." : "Marca «Acepto» para reestructurar tu deuda."
            return try await show(request, context, form, error: problem, status: .badRequest)
        }
        do {
            let number = try await SomosRestructurings.accept(card: context.card, plan: plan, text: text, channel: "sitio_web",
                                                              now: request.application.clock.now(), on: request.db)
            return try await page(request, context, cuotas: form.cuotas) { $0.stage = "aceptada"; $0.number = number }
        } catch SomosRestructurings.Failure.inForce {
            return try await page(request, context, cuotas: form.cuotas, status: .conflict) { $0.error = "Tu tarjeta ya tiene una reestructuración vigente." }
        }
    }
}
