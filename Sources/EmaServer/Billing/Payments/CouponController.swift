import EmaCore
import Fluent
import Foundation
import Vapor

/// Payment coupons on Factura Web: made from a contract's page for all or part of the balance,
/// each with its page (the barcode, «Descargar» and «Pagar en línea») and its PDF.
struct CouponController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("factura", ":contract", "cupon", use: make)
        routes.get("factura", "cupon", ":reference", use: page)
        routes.get("factura", "cupon", ":reference", "cupon.pdf", use: document)
        routes.post("factura", "cupon", ":reference", "pagar", use: pay)
    }

    struct MakeForm: Content {
        let valor: String?
        let intento: String?
    }

    func service(_ request: Request) -> CouponService {
        CouponService(database: request.db, clock: request.application.clock, policy: request.application.utilityProfile?.coupons,
                      limits: request.rateLimits)
    }

    /// Makes the coupon and shows it; a refused amount goes back to the contract's page, the
    /// reason beside the field and the amount as typed.
    @Sendable
    func make(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let typed = request.parameters.get("contract") ?? ""
        guard let number = ContractNumber.parse(typed) else { throw PaymentError.billNotFound }
        // It tells whether a contract exists, as a lookup does: the same limits.
        if let wait = try await ContractLookups(limits: request.rateLimits).admit(client: request.clientAddress, contract: number) {
            throw PlatformError.rateLimited(retryAfterSeconds: wait)
        }
        let form = (try? request.content.decode(MakeForm.self)) ?? MakeForm(valor: nil, intento: nil)
        let value = String((form.valor ?? "").prefix(20))
        let facturaWeb = FacturaWebController()
        guard let amount = CouponPolicy.amount(value) else {
            return try await facturaWeb.contractPage(request, typed: number, couponError: (value, CouponPolicy.Problem.unreadable.message), status: .badRequest)
        }
        do {
            switch try await service(request).make(contractNumber: number, amountCOP: amount, channel: "factura_web", key: form.intento ?? "") {
            case .made(let coupon, _, _):
                return request.redirect(to: "/factura/cupon/\(coupon.reference)", redirectType: .normal)
            case .refused(let problem):
                return try await facturaWeb.contractPage(request, typed: number, couponError: (value, problem.message),
                                                         status: problem == .nothingOwed ? .conflict : .badRequest)
            }
        } catch CouponService.Failure.unavailable {
            throw PaymentError.couponsUnavailable
        } catch CouponService.Failure.contractNotFound {
            throw PaymentError.billNotFound
        } catch CouponService.Failure.tooMany(let wait) {
            throw PlatformError.rateLimited(retryAfterSeconds: wait)
        } catch is PaymentService.KeyProblem {
            return try await facturaWeb.contractPage(request, typed: number, notice: "No pudimos generar el cupón desde esta página. Recarga la página e inténtalo de nuevo.", status: .badRequest)
        }
    }

    struct Bar: Encodable {
        let x: Int
        let width: Int
    }

    struct CouponPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let reference: String
        let contractNumber: String
        let holder: String
        let address: String
        let amount: String
        let validUntil: String
        let kind: String
        let partial: Bool
        let status: String
        let statusTitle: String
        let payable: Bool
        let paymentsAvailable: Bool
        let paymentKey: String
        /// The barcode's bars, in modules, and its width; and its text.
        let bars: [Bar]
        let modules: Int
        let barcodeText: String
        var notice: String?
    }

    func coupon(_ request: Request) async throws -> (PaymentCoupon, CouponPolicy) {
        guard let policy = request.application.utilityProfile?.coupons else { throw PaymentError.couponsUnavailable }
        guard let coupon = try await service(request).find(reference: request.parameters.get("reference") ?? "") else { throw PaymentError.couponNotFound }
        return (coupon, policy)
    }

    @Sendable
    func page(request: Request) async throws -> Response {
        let (coupon, policy) = try await coupon(request)
        return try await render(request, coupon, policy)
    }

    func render(_ request: Request, _ coupon: PaymentCoupon, _ policy: CouponPolicy, notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let contract = coupon.contract
        let balance = try await CouponService.balance(of: contract.requireID(), on: request.db)
        let standing = coupon.standing(today: request.application.clock.today)
        let kind = try await CouponService.kind(of: coupon, balance: balance, on: request.db)
        let elements = coupon.barcode(collectorGLN: policy.collectorGLN)
        var bars: [Bar] = []
        var x = 10
        for (index, width) in try GS1128.widths(for: elements).enumerated() {
            if index % 2 == 0 { bars.append(Bar(x: x, width: width)) }
            x += width
        }
        let titles: [PaymentCoupon.Standing: String] = [.valid: "Vigente", .paid: "Pagado", .expired: "Vencido"]
        let page = CouponPage(
            title: "Cupón de pago · \(try request.utility().shortName)", utility: try request.utility(), reference: coupon.reference,
            contractNumber: contract.contractNumber, holder: Masking.name(contract.holderName),
            address: "\(Masking.address(contract.address)) · \(contract.municipality)", amount: Money.format(cop: coupon.amountCOP),
            validUntil: CivilDate(coupon.validUntil)?.displayName ?? coupon.validUntil, kind: kind.title, partial: kind.partial,
            status: standing.rawValue, statusTitle: titles[standing] ?? "", payable: standing == .valid,
            paymentsAvailable: request.application.paymentGateway != nil, paymentKey: SecureRandom.hex(16),
            bars: bars, modules: x + 10, barcodeText: GS1128.humanReadable(elements), notice: notice
        )
        return try await request.privatePage("cupon", page, status: status)
    }

    @Sendable
    func document(request: Request) async throws -> Response {
        let (coupon, policy) = try await coupon(request)
        let balance = try await CouponService.balance(of: coupon.contract.requireID(), on: request.db)
        let kind = try await CouponService.kind(of: coupon, balance: balance, on: request.db)
        let pdf = try CouponDocument.render(coupon: coupon, contract: coupon.contract, policy: policy, utility: try request.utility(), kind: kind)
        return .pdf(pdf, filename: "cupon-\(coupon.reference).pdf")
    }

    struct PayForm: Content {
        let intento: String?
    }

    /// Pays the coupon online: the attempt (a double click lands on the same one), then the gateway.
    @Sendable
    func pay(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let (coupon, policy) = try await coupon(request)
        guard let gateway = request.application.paymentGateway else {
            return try await render(request, coupon, policy, notice: PaymentError.paymentsUnavailable.reason, status: .serviceUnavailable)
        }
        let key = (try? request.content.decode(PayForm.self))?.intento ?? ""
        let service = PaymentService(database: request.db, gateway: gateway, logger: request.logger)
        let payment: Payment
        do {
            payment = try await service.start(coupon: coupon, idempotencyKey: key, now: request.application.clock.now(), today: request.application.clock.today)
        } catch let error as PaymentError {
            return try await render(request, coupon, policy, notice: error.reason, status: error.status)
        } catch is PaymentService.KeyProblem {
            return try await render(request, coupon, policy, notice: "No pudimos iniciar el pago desde esta página. Recarga la página e inténtalo de nuevo.", status: .badRequest)
        }
        if payment.paymentStatus.isFinal {
            return request.redirect(to: "/factura/pago/\(payment.reference)", redirectType: .normal)
        }
        let returnURL = "\(request.application.emaConfig.publicURL)/factura/pago/\(payment.reference)"
        return request.redirect(to: gateway.checkoutURL(reference: payment.reference, amountCOP: payment.amountCOP, returnURL: returnURL), redirectType: .normal)
    }
}
