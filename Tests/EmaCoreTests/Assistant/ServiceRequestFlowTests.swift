import EmaCore
import Foundation
import Testing

@Suite("Ema files billing requests as peticiones")
struct ServiceRequestFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    @Test("«Quiero separar las cuentas» on WhatsApp: contract, which service, name, confirmation, a petición with the request")
    func separationOnWhatsApp() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.say("quiero separar las cuentas de mi casa")
        #expect(chat.text.contains("separación de cuentas"))
        try await chat.say("20345678")
        // A one-service contract has nothing to separate: nothing is filed.
        #expect(chat.text.contains("un solo servicio"))
        #expect(chat.state.pqr == nil)
        try await chat.say("necesito separar la factura del gas")
        try await chat.say("10234567")
        #expect(chat.choiceIDs == ["separar:energia", "separar:agua", "separar:gas", "separar:todos"])
        try await chat.say("el alcantarillado")
        #expect(chat.text.contains("al menos un servicio"))
        try await chat.say("el gas")
        // A request needs the holder: no anonymity.
        #expect(!chat.choiceIDs.contains("pqr_anonimo"))
        try await chat.say("Ana María Restrepo")
        #expect(chat.text.contains("Solicitud: Separación de cuentas. Factura aparte para: Gas"))
        #expect(!chat.text.contains("Tema:"))
        try await chat.pick("pqr_radicar")
        #expect(chat.text.contains("Número de radicado: 2026-0000001"))
        let filing = try #require(await chat.effects.filings.first)
        #expect(filing.type == .peticion && filing.contractNumber == "10234567" && filing.phone == "+573104445566")
        #expect(filing.request == (try ServiceRequest.separation([.gas], contractServices: [.energia, .agua, .gas])))
        #expect(filing.description.hasPrefix("Solicito la separación de cuentas del contrato 10234567"))
    }

    @Test("An aporte voluntario from the PQR menu: the amount within the range, typed as people write it")
    func contribution() async throws {
        var chat = try await ready()
        try await chat.pick("menu_pqr")
        try await chat.pick("solicitud:aporte_voluntario")
        #expect(chat.text.contains("subsidios de los hogares de menores ingresos"))
        try await chat.say("10234567")
        #expect(chat.text.contains("entre $ 1.000 y $ 1.000.000"))
        try await chat.say("quinientos")
        #expect(chat.text.contains("solo con números"))
        try await chat.say("$ 2.000.000")
        #expect(chat.text.contains("El aporte debe estar entre $ 1.000 y $ 1.000.000."))
        try await chat.say("20 mil")
        try await chat.say("Carlos Gómez")
        try await chat.pick("pqr_sin_celular")
        #expect(chat.text.contains("Aporte de $ 20.000 en la próxima factura"))
        try await chat.pick("pqr_radicar")
        let filing = try #require(await chat.effects.filings.first)
        #expect(filing.request?.amountCOP == 20_000 && filing.request?.kind == .aporteVoluntario)
    }

    @Test("Without the utility's contributions Ema says so and files nothing")
    func contributionsUnavailable() async throws {
        var chat = try await ready()
        chat.knowing { $0.contributions = nil }
        try await chat.say("quiero hacer un aporte voluntario")
        #expect(chat.text.contains("no recibimos aportes voluntarios"))
        #expect(chat.state.pqr == nil && chat.state.step == .mainMenu)
    }
}
