import EmaCore
import Fluent
import Foundation
import Vapor

/// Factura Web: find a contract's bills by its number (holder and address masked), see and
/// download them, and pay through the configured gateway. Also the sandbox gateway's pages and
/// the return page every gateway sends the customer back to.
struct FacturaWebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("factura", use: search)
        routes.get("factura", ":contract", use: contract)
        routes.post("factura", ":contract", "pagar", use: pay)
        routes.get("factura", "pago", ":reference", use: result)
        routes.get("factura", "pago", ":reference", "comprobante.pdf", use: receipt)
        routes.get("pagos", "sandbox", ":reference", use: sandboxPage)
        routes.post("pagos", "sandbox", ":reference", use: sandboxDecide)
    }

    // MARK: Pages

    struct BillView: Encodable {
        let invoiceNumber: String
        let period: String
        let dueDate: String
        let amount: String
        let paid: String
        let balance: String
        let status: String
        let statusClass: String
        let payable: Bool
        let pdfURL: String
        let paymentKey: String
    }

    struct ContractView: Encodable {
        let number: String
        let holder: String
        let address: String
        let services: String
    }

    struct FacturaPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let query: String
        var message: String?
        var contract: ContractView?
        var bills: [BillView] = []
        var notice: String?
        /// False when no gateway is configured: the bills show no «Pagar».
        var paymentsAvailable = true
        /// What the contract owes in all, when more than one bill is open («$ 312.400 en 2 facturas»).
        var owed: String?
        /// The key of the «Pagar todo» form, when more than one bill is open.
        var payAllKey: String?
        /// Said first when a bill is past its due date.
        var overdueWarning: String?
        /// The coupon form, when the contract owes and the utility makes coupons.
        var coupon: CouponForm?
        /// The contract's agreement in force (its number, state and page), or where to ask for one.
        var agreement: AgreementNote?
        var agreementsURL: String?
    }

    struct AgreementNote: Encodable {
        let text: String
        let url: String
    }

    /// «Cupón de pago o abono»: the amount (the whole balance unless the customer types another),
    /// the range allowed, and the reason a typed amount was refused, beside the field.
    struct CouponForm: Encodable {
        let balance: String
        let least: String
        let value: String
        let key: String
        var error: String?
    }

    /// Overdue bills first (the oldest first: they are the ones to pay now), then the ones still
    /// in term, then the paid ones, newest first.
    static func ordered<T>(_ bills: [(T, BillSummary)]) -> [(T, BillSummary)] {
        func rank(_ status: BillStanding.Status) -> Int { status == .overdue ? 0 : status == .pending ? 1 : 2 }
        return bills.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element.1.standing.status), rank(b.element.1.standing.status))
            if ra != rb { return ra < rb }
            return ra == 0 ? a.offset > b.offset : a.offset < b.offset
        }.map(\.element)
    }

    @Sendable
    func search(request: Request) async throws -> Response {
        let query = (try? request.query.get(String.self, at: "contrato")) ?? ""
        if query.isEmpty {
            return try await render(request, FacturaPage(title: title(request), utility: try request.utility(), query: ""))
        }
        return try await contractPage(request, typed: query)
    }

    @Sendable
    func contract(request: Request) async throws -> Response {
        try await contractPage(request, typed: request.parameters.get("contract") ?? "")
    }

    func contractPage(_ request: Request, typed: String, notice: String? = nil, couponError: (value: String, message: String)? = nil,
                      status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = FacturaPage(title: title(request), utility: try request.utility(), query: String(typed.prefix(20)))
        page.notice = notice
        page.paymentsAvailable = request.application.paymentGateway != nil
        guard let number = ContractNumber.parse(typed) else {
            page.message = "El número de contrato tiene entre 4 y 12 dígitos, sin letras. Lo encuentras en tu factura como «Contrato»."
            return try await render(request, page, status: .badRequest)
        }
        if let wait = try await ContractLookups(limits: request.rateLimits).admit(client: request.clientAddress, contract: number) {
            throw PlatformError.rateLimited(retryAfterSeconds: wait)
        }
        let source = FacturaWebBills(database: request.db, clock: request.application.clock, publicURL: request.application.emaConfig.publicURL)
        guard let loaded = try await source.load(contractNumber: number) else {
            page.message = "No encontramos el contrato \(number). Revisa el número en tu factura e inténtalo de nuevo."
            return try await render(request, page, status: .notFound)
        }
        let contract = loaded.contract
        page.contract = ContractView(
            number: contract.contractNumber, holder: Masking.name(contract.holderName),
            address: "\(Masking.address(contract.address)) · \(contract.municipality)",
            services: contract.serviceList.map(\.displayName).joined(separator: ", ")
        )
        let bills = Self.ordered(loaded.bills.map { ($0.invoice, $0.summary) })
        let open = bills.filter { $0.1.standing.balance > 0 }
        if open.count > 1 {
            page.owed = "\(Money.format(cop: open.reduce(0) { $0 + $1.1.standing.balance })) en \(open.count) facturas"
            page.payAllKey = SecureRandom.hex(16)
        }
        // One read of every bill and agreement of the contract, for the coupon form and the agreement notice.
        let agreements = AgreementService(database: request.db, clock: request.application.clock, policy: request.application.utilityProfile?.agreements,
                                          coupons: request.application.utilityProfile?.coupons)
        let debt = try await agreements.debt(contract, on: request.db)
        let owed = debt.balance
        if let policy = request.application.utilityProfile?.coupons, owed > 0 {
            page.coupon = CouponForm(balance: Money.format(cop: owed), least: Money.format(cop: policy.least(balance: owed)),
                                     value: couponError?.value ?? SpanishNumber.integer(Int(owed)), key: SecureRandom.hex(16), error: couponError?.message)
        } else if let couponError {
            page.notice = couponError.message
        }
        let overdue = bills.filter { $0.1.standing.status == .overdue }.count
        if let current = debt.inForce, let state = debt.inForceStatus {
            page.agreement = AgreementNote(text: "Acuerdo de pago \(current.number): \(state.title.lowercased()).", url: "/factura/acuerdo/\(current.token)")
        } else if overdue > 0, agreements.policy != nil {
            page.agreementsURL = "/factura/\(contract.contractNumber)/acuerdo"
        }
        if overdue > 0 {
            page.overdueWarning = overdue == 1
                ? "Tienes una factura vencida: págala primero para evitar la suspensión del servicio y el cobro de reconexión."
                : "Tienes \(overdue) facturas vencidas: págalas primero, empezando por la más antigua, para evitar la suspensión del servicio y el cobro de reconexión."
        }
        page.bills = bills.map { invoice, summary in
            BillView(
                invoiceNumber: invoice.invoiceNumber, period: summary.period, dueDate: summary.dueDate,
                amount: Money.format(cop: summary.standing.amount), paid: Money.format(cop: summary.standing.paid),
                balance: Money.format(cop: summary.standing.balance), status: summary.standing.status.title,
                statusClass: summary.standing.status.rawValue, payable: summary.standing.balance > 0,
                pdfURL: summary.pdfURL, paymentKey: SecureRandom.hex(16)
            )
        }
        if page.bills.isEmpty {
            page.message = "El contrato \(number) todavía no tiene facturas para consultar aquí."
        }
        return try await render(request, page, status: status)
    }

    struct PayForm: Content {
        let factura: String?
        let intento: String?
    }

    /// Starts (or finds) the attempt and sends the customer to the gateway. A double click
    /// posts the same `intento` and lands on the same attempt.
    @Sendable
    func pay(request: Request) async throws -> Response {
        let contract = request.parameters.get("contract") ?? ""
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(PayForm.self)) ?? PayForm(factura: nil, intento: nil)
        // «todas»: every open bill of the contract in one payment.
        var invoice: Invoice?
        var owner: Contract?
        if form.factura == "todas", let number = ContractNumber.parse(contract) {
            owner = try await ContractDirectory(database: request.db).contract(number: number)
        } else if let number = form.factura, let found = try await Invoice.query(on: request.db).filter(\.$invoiceNumber == number).with(\.$contract).first(),
                  found.contract.contractNumber == contract {
            invoice = found
        }
        guard invoice != nil || owner != nil else { throw PaymentError.billNotFound }
        let now = request.application.clock.now()
        guard let gateway = request.application.paymentGateway else {
            return try await contractPage(request, typed: contract, notice: PaymentError.paymentsUnavailable.reason, status: .serviceUnavailable)
        }
        let service = PaymentService(database: request.db, gateway: gateway, logger: request.logger)
        let payment: Payment
        do {
            if let owner {
                payment = try await service.startAll(contract: owner, idempotencyKey: form.intento ?? "", now: now)
            } else {
                payment = try await service.start(invoice: invoice!, idempotencyKey: form.intento ?? "", now: now)
            }
        } catch PaymentError.alreadyPaid {
            let notice = invoice.map { "La factura de \(BillingPeriod($0.period)?.displayName ?? $0.period) ya está pagada. No tienes que pagarla de nuevo." }
                ?? "Las facturas de este contrato ya están pagadas. No tienes que pagarlas de nuevo."
            return try await contractPage(request, typed: contract, notice: notice, status: .conflict)
        } catch is PaymentService.KeyProblem {
            return try await contractPage(request, typed: contract, notice: "No pudimos iniciar el pago desde esta página. Recarga la página e inténtalo de nuevo.", status: .badRequest)
        }
        if payment.paymentStatus.isFinal {
            return request.redirect(to: "/factura/pago/\(payment.reference)", redirectType: .normal)
        }
        let returnURL = "\(request.application.emaConfig.publicURL)/factura/pago/\(payment.reference)"
        return request.redirect(to: gateway.checkoutURL(reference: payment.reference, amountCOP: payment.amountCOP, returnURL: returnURL), redirectType: .normal)
    }

    struct ResultPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let status: String
        let statusTitle: String
        let headline: String
        let detail: String
        /// The bill's payment reference (the one printed on it; each bill's, when it paid several)
        /// and this attempt's transaction.
        let reference: String
        let bills: Int
        let references: Int
        let transaction: String
        let amount: String
        let contractNumber: String
        let period: String
        let refresh: Bool
        /// The receipt's link, once the payment is approved.
        let receipt: String?
    }

    /// Where the gateway sends the customer back. The parameters it adds are only a hint: the
    /// transaction is read from the gateway itself before anything is applied.
    @Sendable
    func result(request: Request) async throws -> View {
        let reference = request.parameters.get("reference") ?? ""
        let load = { try await Payment.query(on: request.db).filter(\.$reference == reference).with(\.$invoice) { $0.with(\.$contract) }.first() }
        guard var payment = try await load() else { throw PaymentError.paymentNotFound }
        if let gateway = request.application.paymentGateway, !payment.paymentStatus.isFinal, payment.gateway == gateway.name {
            let hinted = (try? request.query.get(String.self, at: "id")) ?? payment.gatewayTransactionID
            do {
                if let id = hinted, let transaction = try await gateway.transaction(id: id, client: request.client, database: request.db),
                   transaction.reference == payment.reference {
                    try await PaymentService(database: request.db, gateway: gateway, logger: request.logger)
                        .settle(transaction, now: request.application.clock.now())
                    payment = try await load() ?? payment
                }
            } catch {
                // The gateway did not answer: show what is known (pending); the page asks again
                // on its next refresh, and the event and the reconciliation job settle it anyway.
                request.logger.warning("No se pudo consultar la transacción en la pasarela", metadata: ["referencia": .string(payment.reference)])
            }
        }
        let status = payment.paymentStatus
        let bills = try await Self.bills(of: payment, on: request.db)
        let periods = bills.map { BillingPeriod($0.invoice.period)?.displayName ?? $0.invoice.period }
        let period = periods.count > 1 ? periods.dropLast().joined(separator: ", ") + " y " + periods.last! : periods.first ?? ""
        // A coupon's payment is told by the coupon: its reference, and «tu saldo» (it may be a part).
        var coupon: PaymentCoupon?
        if let id = payment.couponID { coupon = try await PaymentCoupon.find(id, on: request.db) }
        let yours = coupon != nil ? "tu saldo" : bills.count > 1 ? "tus \(bills.count) facturas" : "tu factura"
        let (headline, detail): (String, String) = switch status {
        case .approved: ("¡Listo! Tu pago fue aprobado y ya quedó aplicado a \(yours).", "Descarga el comprobante y guárdalo. El saldo ya se ve actualizado en Factura Web y cuando le preguntes a Ema.")
        case .pending: ("Tu pago está en proceso.", "El banco aún no confirma la transacción. Esta página se actualiza sola; también puedes volver más tarde: el pago se aplica apenas el banco lo confirme. No pagues de nuevo mientras tanto.")
        case .declined: ("El pago no fue aprobado.", "No se hizo ningún cobro. Puedes intentarlo de nuevo con otro banco o medio de pago.")
        case .voided: ("El pago fue anulado.", "No se aplicó a \(yours). Puedes intentarlo de nuevo.")
        case .error: ("No pudimos completar el pago.", "No se aplicó a \(yours). Si ves un cobro en tu banco, llámanos a la línea de atención con el número de la transacción.")
        }
        return try await request.view.render("pago", ResultPage(
            title: "Resultado del pago · \(try request.utility().shortName)", utility: try request.utility(),
            status: status.rawValue, statusTitle: status.title, headline: headline, detail: detail,
            reference: coupon?.reference ?? bills.map { BillDocument.paymentReference(contractNumber: payment.invoice.contract.contractNumber, period: $0.invoice.period) }
                .joined(separator: ", "), bills: bills.count, references: coupon != nil ? 1 : bills.count,
            transaction: payment.reference, amount: Money.format(cop: payment.amountCOP),
            contractNumber: payment.invoice.contract.contractNumber, period: period, refresh: status == .pending,
            receipt: status == .approved ? "/factura/pago/\(payment.reference)/comprobante.pdf" : nil
        ))
    }

    /// The bills an attempt pays, oldest first, each with its part (one bill: its whole amount).
    static func bills(of payment: Payment, on database: any Database) async throws -> [(invoice: Invoice, amountCOP: Int64)] {
        let items = try await PaymentItems.of(payment.requireID(), on: database)
        guard !items.isEmpty else { return [(payment.invoice, payment.amountCOP)] }
        let invoices = try await Invoice.query(on: database).filter(\.$id ~~ items.map(\.invoice)).all()
        return items.compactMap { item in invoices.first { $0.id == item.invoice }.map { ($0, item.amountCOP) } }
    }

    /// The receipt of an approved payment, as a PDF.
    @Sendable
    func receipt(request: Request) async throws -> Response {
        let reference = request.parameters.get("reference") ?? ""
        guard let payment = try await Payment.query(on: request.db).filter(\.$reference == reference).with(\.$invoice, { $0.with(\.$contract) }).first()
        else { throw PaymentError.paymentNotFound }
        guard payment.paymentStatus == .approved else { throw PaymentError.receiptNotReady }
        var coupon: String?
        if let id = payment.couponID { coupon = try await PaymentCoupon.find(id, on: request.db)?.reference }
        let pdf = PaymentReceipt.render(payment: payment, bills: try await Self.bills(of: payment, on: request.db), contract: payment.invoice.contract,
                                        utility: try request.utility(), coupon: coupon)
        return .pdf(pdf, filename: "comprobante-\(payment.reference).pdf")
    }

    // MARK: The sandbox gateway (PSE)

    struct SandboxPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let reference: String
        let amount: String
        let banks: [String]
    }

    func sandboxPayment(_ request: Request) async throws -> Payment {
        guard request.application.paymentGateway is SandboxGateway else { throw Abort(.notFound) }
        let reference = request.parameters.get("reference") ?? ""
        guard let payment = try await Payment.query(on: request.db).filter(\.$reference == reference).filter(\.$gateway == "sandbox").first() else {
            throw PaymentError.paymentNotFound
        }
        return payment
    }

    @Sendable
    func sandboxPage(request: Request) async throws -> Response {
        let payment = try await sandboxPayment(request)
        if payment.paymentStatus.isFinal {
            return request.redirect(to: "/factura/pago/\(payment.reference)", redirectType: .normal)
        }
        return try await request.view.render("pago-sandbox", SandboxPage(
            title: "PSE · Pasarela de pruebas", utility: try request.utility(), reference: payment.reference,
            amount: Money.format(cop: payment.amountCOP), banks: SandboxGateway.banks
        )).encodeResponse(for: request)
    }

    struct SandboxForm: Content {
        let banco: String?
        let decision: String
    }

    /// The bank's answer: the sandbox records its transaction and notifies Ema at once, as a
    /// gateway's webhook would, then sends the customer back.
    @Sendable
    func sandboxDecide(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let payment = try await sandboxPayment(request)
        guard let form = try? request.content.decode(SandboxForm.self), ["aprobar", "rechazar"].contains(form.decision) else {
            throw PaymentError.invalidDecision
        }
        let bank = SandboxGateway.banks.first { $0 == form.banco } ?? SandboxGateway.banks[0]
        let now = request.application.clock.now()
        let transaction = try await SandboxGateway.decide(
            reference: payment.reference, amountCOP: payment.amountCOP, approve: form.decision == "aprobar", bank: bank, database: request.db, now: now
        )
        try await PaymentService(database: request.db, gateway: SandboxGateway(), logger: request.logger).settle(transaction, now: now)
        return request.redirect(to: "/factura/pago/\(payment.reference)?id=\(transaction.id)", redirectType: .normal)
    }

    // MARK: Helpers


    func title(_ request: Request) -> String {
        "Factura Web · \(request.application.utilityProfile?.shortName ?? "Ema")"
    }

    func render(_ request: Request, _ page: FacturaPage, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await request.privatePage("factura", page, status: status)
    }
}
