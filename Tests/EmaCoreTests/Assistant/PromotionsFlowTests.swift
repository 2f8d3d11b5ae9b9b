import EmaCore
import Foundation
import Testing

@Suite("Promotions: asked apart, off by default, withdrawn in one message")
struct PromotionsFlowTests {
    @Test("On WhatsApp the sender says yes, then withdraws with one message; each answer goes to the ledger")
    func whatsApp() async throws {
        var chat = Conversation(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.pick("consentimiento_si")
        try await chat.say("quiero recibir promociones")
        #expect(chat.text.contains("pregunta aparte y opcional") && chat.text.contains("Hoy no las recibes."))
        #expect(chat.text.contains("https://ema.example/legal/promociones"))
        #expect(chat.choiceIDs == ["promociones_si", "promociones_no"])
        try await chat.pick("promociones_si")
        #expect(chat.text.contains("Guardé tu autorización"))
        var promotions = await chat.effects.consents.filter { $0.kind == .promotions }
        #expect(promotions.count == 1)
        #expect(promotions.first.map { $0.granted && $0.phone == "+573104445566" && $0.version == "2026-12" && $0.textHash == "cc33" && $0.channel == .whatsapp } == true)
        try await chat.say("promociones")
        #expect(chat.text.contains("Hoy sí las recibes."))
        try await chat.say("hola")
        // One message withdraws it, wherever the conversation stands.
        try await chat.say("no quiero más promociones")
        #expect(chat.text.contains("No te enviaremos más promociones ni novedades al 310 444 5566"))
        #expect(chat.state.step == .mainMenu)
        promotions = await chat.effects.consents.filter { $0.kind == .promotions }
        #expect(promotions.map(\.granted) == [true, false])
    }

    @Test("On the web the number is verified before the answer is kept")
    func webVerifies() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_si")
        try await chat.say("no quiero promociones")
        #expect(chat.state.step == .askPhone)
        try await chat.say("3001234567")
        try await chat.say("482913")
        #expect(chat.text.contains("No te enviaremos más promociones ni novedades al 300 123 4567"))
        let promotions = await chat.effects.consents.filter { $0.kind == .promotions }
        #expect(promotions.map(\.granted) == [false] && promotions.first?.phone == "+573001234567")
    }

    @Test("From «Mis datos personales»: the question, and «No, gracias» is kept as a refusal")
    func fromDataMenu() async throws {
        var chat = Conversation(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.pick("consentimiento_si")
        try await chat.pick("menu_datos")
        #expect(chat.choiceIDs.contains("datos_promociones"))
        try await chat.pick("datos_promociones")
        // The data menu verifies even on WhatsApp (the same path as the other rights).
        if chat.choiceIDs.contains("usar_este_numero") { try await chat.pick("usar_este_numero") }
        if chat.state.step == .askCode { try await chat.say("482913") }
        #expect(chat.choiceIDs == ["promociones_si", "promociones_no"])
        try await chat.pick("promociones_no")
        #expect(chat.text.contains("no te enviaremos promociones"))
        #expect(await chat.effects.consents.filter { $0.kind == .promotions }.map(\.granted) == [false])
    }
}
