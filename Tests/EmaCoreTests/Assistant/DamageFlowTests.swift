import EmaCore
import Foundation
import Testing

@Suite("Damage reports with Ema, safety first")
struct DamageFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    func firstText(_ chat: Conversation) -> String {
        guard case .text(let text)? = chat.replies.first else { return "" }
        return text
    }

    @Test("Hazards are recognised in the ways people write them, and only then")
    func hazards() {
        for text in ["Huele a gas en la cocina", "hay un olor a gas muy fuerte", "FUGA DE GAS en el edificio", "se escucha que hay un escape de gas"] {
            #expect(DamageSafety.hazard(in: text) == .gas, "\(text)")
        }
        for text in ["hay un cable caído en la calle", "un poste caido sobre la acera", "el cable está en el piso y saca chispas", "se cayó el cable de la luz"] {
            #expect(DamageSafety.hazard(in: text) == .cable, "\(text)")
        }
        for text in ["quiero pagar la factura del gas", "no tengo luz", "el cable del televisor", "cuánto debo"] {
            #expect(DamageSafety.hazard(in: text) == nil, "\(text)")
        }
    }

    @Test("A gas smell gets the safety instruction and the 24-hour line before any question, then the report")
    func gasFirst() async throws {
        var chat = try await ready()
        try await chat.say("Huele a gas en mi casa, ¿qué hago?")
        let first = firstText(chat)
        #expect(first.hasPrefix("⚠️") && first.contains("no enciendas ni apagues") && first.contains(TestKnowledge.knowledge.damageLine))
        // The service is known (gas): the next question is where.
        #expect(chat.state.step == .damagePlace && chat.state.damage?.service == .gas)
        try await chat.say("Carrera 43A # 1-50, Medellín, edificio Torres del Río")
        // The description speaks of the gas again: the safety text is not repeated.
        try await chat.say("Olor a gas fuerte en el pasillo del piso 3")
        #expect(!chat.text.contains("⚠️"))
        try await chat.say("300 123 4567")
        #expect(chat.text.contains("DAN-2026-0000001"))
        let filing = try #require(await chat.effects.damages.first)
        #expect(filing.service == .gas && filing.hazard == .gas && filing.phone == "+573001234567" && filing.address?.hasPrefix("Carrera 43A") == true)
        // Written about again after filing: the report and the line, not a second report.
        try await chat.say("todavía huele mucho a gas")
        #expect(chat.text.contains("Ya registramos tu reporte DAN-2026-0000001") && chat.text.contains(TestKnowledge.knowledge.damageLine))
        #expect(chat.state.damage == nil && chat.state.step == .mainMenu)
        #expect(await chat.effects.damages.count == 1)
    }

    @Test("Even before the authorization, a fallen cable is answered with safety first")
    func cableBeforeConsent() async throws {
        var chat = Conversation()
        try await chat.say("hay un cable caído frente a mi casa")
        let first = firstText(chat)
        #expect(first.hasPrefix("⚠️") && first.contains("no lo toques") && first.contains(TestKnowledge.knowledge.damageLine))
        #expect(chat.state.step == .consent)
        #expect(await chat.effects.damages.isEmpty)
    }

    @Test("From the menu on the web: service, address, description, optional phone; bad answers are explained")
    func fromTheMenu() async throws {
        var chat = try await ready()
        try await chat.pick("menu_danos")
        #expect(chat.choiceIDs.contains("dano:agua"))
        try await chat.pick("dano:agua")
        try await chat.say("CL")
        #expect(chat.text.contains("Necesito la dirección"))
        try await chat.say("Calle 10 # 20-30, Bello, frente a la iglesia")
        try await chat.say("Fuga de agua en la acera desde ayer")
        try await chat.say("12")
        #expect(chat.text.contains("no parece un celular"))
        try await chat.pick("dano_sin_celular")
        #expect(chat.text.contains("DAN-2026-0000001") && chat.state.step == .mainMenu)
        let filing = try #require(await chat.effects.damages.first)
        #expect(filing.service == .agua && filing.phone == nil && filing.hazard == nil && filing.channel == .web)
    }

    @Test("A location shared on WhatsApp starts a report there; the sender's number is the contact")
    func location() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573104445566")
        let point = try #require(GeoPoint(latitude: 6.2442, longitude: -75.5812, label: "Parque Berrío"))
        try await chat.send(InboundMessage(location: point))
        #expect(chat.text.contains("Parque Berrío") && chat.choiceIDs.contains("dano:alumbrado"))
        try await chat.pick("dano:alumbrado")
        // The place is known: Ema asks what happens.
        #expect(chat.state.step == .damageDescription)
        try await chat.say("Tres lámparas apagadas en el parque")
        let filing = try #require(await chat.effects.damages.first)
        #expect(filing.location == point && filing.phone == "+573104445566" && filing.channel == .whatsapp)
        #expect(GeoPoint(latitude: 91, longitude: 0) == nil)
    }
}
