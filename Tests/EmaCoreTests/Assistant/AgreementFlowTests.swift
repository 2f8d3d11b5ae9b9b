import EmaCore
import Foundation
import Testing

@Suite("Before the authorization")
struct AgreementFlowTests {
    @Test("Phone lines, offices and what to do about a damage are answered before consent; nothing is recorded and the question comes back",
          arguments: [
              ("¿cuáles son las líneas de atención?", "Nuestras líneas de atención"),
              ("dónde quedan las oficinas", "oficinas y puntos de atención"),
              ("huele a gas en mi casa", "aléjate del lugar"),
          ])
    func generalBeforeConsent(asked: String, answer: String) async throws {
        var chat = Conversation(channel: .web)
        try await chat.say(asked)
        #expect(chat.text.contains(answer), "\(chat.text)")
        #expect(chat.choiceIDs == ["consentimiento_si", "consentimiento_leer", "consentimiento_no"])
        #expect(chat.state.step == .consent)
        #expect(await chat.effects.consents.isEmpty)
    }

    @Test("Anything else before consent is not answered: Ema asks for the authorization")
    func personalNeedsConsent() async throws {
        var chat = Conversation(channel: .web)
        try await chat.say("cuánto debo de la factura")
        #expect(chat.text.contains("Para seguir necesito saber si autorizas"))
        #expect(chat.choiceIDs == ["consentimiento_si", "consentimiento_leer", "consentimiento_no"])
    }
}
