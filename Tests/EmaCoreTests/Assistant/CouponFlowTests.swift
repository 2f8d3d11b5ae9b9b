import EmaCore
import Foundation
import Testing

@Suite("Conversation engine: payment coupons and partial payments")
struct CouponFlowTests {
    func started(_ channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    func documents(_ chat: Conversation) -> [String] {
        chat.replies.compactMap { if case .document(let url, _, _) = $0 { url } else { nil } }
    }

    func links(_ chat: Conversation) -> [(String, String)] {
        chat.replies.compactMap { if case .link(let url, let title) = $0 { (url, title) } else { nil } }
    }

    @Test("«quiero hacer un abono»: the balance and the range, bad amounts refused in words, then the coupon as a PDF with its pay link")
    func partial() async throws {
        var chat = try await started()
        try await chat.say("quiero hacer un abono a mi factura")
        try await chat.say("10234567")
        #expect(chat.state.step == .couponAmount)
        #expect(chat.text.contains("Tu saldo es $ 242.900") && chat.text.contains("desde $ 10.000 hasta tu saldo"))
        #expect(chat.choiceIDs.contains("cupon_todo"))
        try await chat.say("5000")
        #expect(chat.text.contains("El valor mínimo de un abono es $ 10.000") && chat.state.step == .couponAmount)
        try await chat.say("$ 300.000")
        #expect(chat.text.contains("no puede ser mayor que tu saldo, $ 242.900") && chat.state.step == .couponAmount)
        try await chat.say("lo que pueda")
        #expect(chat.text.contains("Escribe el valor en pesos") && chat.state.step == .couponAmount)
        #expect(await chat.effects.coupons.isEmpty)
        try await chat.say("50 mil")
        let made = await chat.effects.coupons
        #expect(made.count == 1 && made[0].amount == 50_000 && made[0].channel == "web" && made[0].contract == "10234567")
        #expect(chat.text.contains("cupón de abono del contrato 10234567 es por $ 50.000") && chat.text.contains("hasta el 29 de noviembre de 2026"))
        #expect(chat.text.contains("Lo que quede del saldo sigue pendiente"))
        #expect(documents(chat).count == 1 && documents(chat)[0].hasSuffix("/cupon.pdf"))
        #expect(links(chat).map(\.1) == ["Pagar el cupón en línea"])
        #expect(chat.state.step == .billActions)
    }

    @Test("On WhatsApp, «Todo el saldo» from the bill menu makes a coupon for the whole balance")
    func whole() async throws {
        var chat = try await started(.whatsapp, senderPhone: "+573001112233")
        try await chat.say("mi factura")
        try await chat.say("10234567")
        try await chat.pick("factura_cupon")
        try await chat.pick("cupon_todo")
        let made = await chat.effects.coupons
        #expect(made.count == 1 && made[0].amount == 242_900 && made[0].channel == "whatsapp")
        #expect(chat.text.contains("cupón de pago del saldo total") && !chat.text.contains("Lo que quede"))
    }

    @Test("Nothing owed, too many coupons today, and a utility without coupons: each said plainly, back to the bill menu")
    func refusals() async throws {
        var chat = try await started()
        await chat.effects.pay("10234567", "noviembre de 2026", 242_900)
        try await chat.say("necesito un cupón de pago")
        try await chat.say("10234567")
        #expect(chat.text.contains("no tiene saldo pendiente") && chat.state.step == .billActions)

        var other = try await started()
        await other.effects.setCouponsLimited()
        try await other.say("necesito un cupón de pago")
        try await other.say("20345678")
        try await other.pick("cupon_todo")
        #expect(other.text.contains("Podrás generar otro en 50 minutos") && other.state.step == .billActions)

        var plain = try await started()
        try await plain.say("cuánto debo")
        try await plain.say("20345678")
        try await plain.pick("factura_pagar")
        #expect(plain.text.contains("Elige «Cupón o abono»"))
        #expect(plain.choiceIDs.contains("factura_cupon"))
        plain.knowing { $0.coupons = nil }
        try await plain.pick("factura_pagar")
        #expect(!plain.text.contains("Cupón o abono"))
        try await plain.pick("factura_cupon")
        #expect(plain.text.contains("Ahora no puedo generar cupones de pago") && plain.state.step == .billActions)
        #expect(await plain.effects.coupons.isEmpty)
    }

    @Test("«Alternativas de pago»: for an overdue contract, the plans with their instalments and the page to accept one; otherwise why not")
    func agreements() async throws {
        var chat = try await started()
        await chat.effects.setToday(CivilDate("2026-11-28")!)
        try await chat.say("quiero un acuerdo de pago, no puedo pagar todo")
        try await chat.say("10234567")
        #expect(chat.text.contains("Debes $ 242.900, de los cuales $ 242.900 están vencidos"))
        #expect(chat.text.contains("cuota inicial de $ 48.580") && chat.text.contains("• 3 cuotas de $ 66.726") && chat.text.contains("• 12 cuotas de"))
        #expect(links(chat).map(\.0) == ["http://127.0.0.1:8080/factura/10234567/acuerdo"])
        #expect(chat.state.step == .billActions)

        var early = try await started()
        try await early.say("alternativas de pago")
        try await early.say("10234567")
        #expect(early.text.contains("no tiene facturas vencidas") && links(early).isEmpty, "\(early.text)")
    }
}
