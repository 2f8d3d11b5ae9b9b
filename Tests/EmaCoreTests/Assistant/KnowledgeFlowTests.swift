import EmaCore
import Foundation
import Testing

@Suite("Ema answers service questions from the knowledge base")
struct KnowledgeFlowTests {
    @Test("«¿Por qué me llegó tan cara la factura?»: the short answer, the article's link and «¿Te sirvió?»; a «no» offers an advisor or a PQR")
    func billQuestion() async throws {
        var chat = Conversation(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.pick("consentimiento_si")
        try await chat.say("¿por qué me llegó tan cara la factura?")
        #expect(chat.text.contains("¿Por qué me llegó más alta la factura?") && chat.text.contains("https://ema.example/ayuda/factura-alta"))
        #expect(chat.choiceIDs == ["articulo_si", "articulo_no"])
        try await chat.pick("articulo_no")
        #expect(chat.choiceIDs == ["menu_asesor", "menu_pqr", "menu"])
        let ratings = await chat.effects.articleRatings
        #expect(ratings.count == 1 && ratings[0].slug == "factura-alta" && !ratings[0].helpful)
    }

    @Test("SOMOS questions get the article; a yes is counted; words outside any article still get the menu")
    func somosAndNothing() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_si")
        try await chat.say("¿cómo funciona la tarjeta SOMOS?")
        #expect(chat.text.contains("La tarjeta SOMOS") && chat.state.step == .articleFeedback)
        try await chat.say("sí")
        #expect(chat.text.contains("¡Qué bueno!") && chat.state.articleSlug == nil)
        #expect(await chat.effects.articleRatings.map(\.helpful) == [true])
        try await chat.say("cuál es la capital de Francia")
        #expect(chat.text.contains("no entendí") && chat.state.step == .mainMenu)
    }

    @Test("A request keeps its flow even when it sounds like a question: «quiero el duplicado de la factura»")
    func flowsStay() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_si")
        try await chat.say("quiero el duplicado de la factura")
        #expect(chat.state.step != .articleFeedback)
    }
}
