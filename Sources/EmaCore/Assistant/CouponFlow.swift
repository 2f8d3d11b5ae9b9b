import Foundation

/// A coupon Ema made: what to pay, until when, and where to get it and pay it.
public struct CouponSummary: Sendable, Equatable {
    public let reference: String
    public let amountCOP: Int64
    public let validUntil: CivilDate
    /// Less than the whole balance: an «abono».
    public let partial: Bool
    public let pdfURL: String
    /// Its page, with «Pagar en línea».
    public let pageURL: String

    public init(reference: String, amountCOP: Int64, validUntil: CivilDate, partial: Bool, pdfURL: String, pageURL: String) {
        self.reference = reference
        self.amountCOP = amountCOP
        self.validUntil = validUntil
        self.partial = partial
        self.pdfURL = pdfURL
        self.pageURL = pageURL
    }
}

public enum CouponOutcome: Sendable, Equatable {
    case made(CouponSummary)
    case refused(CouponPolicy.Problem)
    /// The contract has had too many coupons today.
    case limited(retryAfterSeconds: Int)
    /// The utility makes no coupons (no rules configured).
    case unavailable
}

/// A payment coupon for all or part of the balance, in the chat: the amount asked, checked by the
/// utility's rules, and the coupon given as a PDF with a link to pay it online.
extension Turn {
    static let couponAll = Choice("cupon_todo", "Todo el saldo")

    mutating func askCouponAmount(_ contract: ContractBills, heading: String) {
        guard let policy = knowledge.coupons else {
            say("\(heading)\nAhora no puedo generar cupones de pago. Puedes pagar el saldo completo en línea en Factura Web: \(contract.payURL)")
            return showBillMenu("¿Qué más necesitas de tu factura?")
        }
        guard contract.totalBalance > 0 else {
            say("\(heading)\n\(CouponPolicy.Problem.nothingOwed.message)")
            return showBillMenu("¿Qué más necesitas de tu factura?")
        }
        state.step = .couponAmount
        let least = policy.least(balance: contract.totalBalance)
        let range = least < contract.totalBalance ? " (desde \(Money.format(cop: least)) hasta tu saldo)" : ""
        ask("\(heading)\nTu saldo es \(Money.format(cop: contract.totalBalance)). Te doy un cupón para pagarlo todo o una parte (un abono): págalo en línea o con el código de barras en bancos y puntos de pago.\n¿Cuánto quieres pagar? Escribe el valor\(range) o elige «Todo el saldo».",
            [Self.couponAll, Choice("menu", "Menú principal")])
    }

    mutating func couponAmountStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let contract = state.billContract else { return askBillContract() }
        switch input {
        case .choice(Self.couponAll.id):
            try await makeCoupon(contract, amount: nil, effects: effects)
        case .text(let text):
            if let amount = CouponPolicy.amount(text) { return try await makeCoupon(contract, amount: amount, effects: effects) }
            let words = TextNormalizer.normalize(text)
            if words.contains("todo") || words.contains("total") { return try await makeCoupon(contract, amount: nil, effects: effects) }
            let intent = intent(of: text)
            if intent != .fueraDeAlcance, intent != .afirmar, intent != .negar { return try await route(intent, effects: effects) }
            ask(CouponPolicy.Problem.unreadable.message, [Self.couponAll, Choice("menu", "Menú principal")])
        default:
            try await menuStep(input, effects: effects)
        }
    }

    mutating func makeCoupon(_ contract: String, amount: Int64?, effects: any AssistantEffects) async throws {
        switch try await effects.makeCoupon(contractNumber: contract, amountCOP: amount, channel: state.channel.rawValue) {
        case .made(let coupon):
            let kind = coupon.partial ? "abono" : "pago del saldo total"
            say("Listo ✅ Tu cupón de \(kind) del contrato \(contract) es por \(Money.format(cop: coupon.amountCOP)) y puedes pagarlo hasta el \(coupon.validUntil.displayName). Referencia: \(coupon.reference).\nPágalo en línea con el enlace, o imprime el cupón y págalo en bancos y puntos de pago con su código de barras."
                + (coupon.partial ? " Lo que quede del saldo sigue pendiente, con la fecha límite de cada factura." : ""))
            replies.append(.document(url: coupon.pdfURL, filename: "cupon-\(coupon.reference).pdf", caption: "Cupón de pago por \(Money.format(cop: coupon.amountCOP))"))
            replies.append(.link(url: coupon.pageURL, title: "Pagar el cupón en línea"))
            showBillMenu("¿Qué más necesitas de tu factura?")
        case .refused(.nothingOwed):
            say(CouponPolicy.Problem.nothingOwed.message)
            showBillMenu("¿Qué más necesitas de tu factura?")
        case .refused(let problem):
            ask(problem.message, [Self.couponAll, Choice("menu", "Menú principal")])
        case .limited(let seconds):
            say("Por seguridad, hoy ya se generaron muchos cupones para este contrato. Podrás generar otro en \(SpanishDuration.wait(seconds: seconds)); mientras tanto, usa uno de los que ya tienes o paga en línea en Factura Web.")
            showBillMenu("¿Qué más necesitas de tu factura?")
        case .unavailable:
            say("Ahora no puedo generar cupones de pago. Puedes pagar el saldo completo en línea en Factura Web: \(knowledge.publicURL)/factura/\(contract)")
            showBillMenu("¿Qué más necesitas de tu factura?")
        }
    }
}
