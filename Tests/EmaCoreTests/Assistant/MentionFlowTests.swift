import EmaCore
import Foundation
import Testing

@Suite("Conversation engine: what the customer already wrote is not asked again")
struct MentionFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    @Test("A long reclamo with its contract: type, topic, contract and story taken; the name is the first question")
    func reclamoInOneMessage() async throws {
        var chat = try await ready()
        let message = "hola buenas tardes, es que me llegó muy cara la factura del contrato 1023 4567, quiero reclamar"
        try await chat.say(message)
        #expect(chat.text.contains("Tomo el contrato 10234567 que me escribiste."))
        #expect(!chat.text.contains("Escribe el número del contrato"))
        #expect(chat.state.step == .pqrName)
        #expect(chat.state.pqr?.type == .reclamo && chat.state.pqr?.contractNumber == "10234567")
        #expect(chat.state.pqr?.causal == "F103" && chat.state.pqr?.description == message)
        #expect(chat.state.mentioned == nil)
    }

    @Test("A contract that does not exist is said so, and asked for as usual")
    func unknownContract() async throws {
        var chat = try await ready()
        try await chat.say("cuánto debo del contrato 99999999")
        #expect(chat.text.contains("99999999"))
        #expect(chat.state.step == .askBillContract)
        try await chat.say("10234567")
        #expect(chat.text.contains("$ 242.900"))
    }

    @Test("The bill of the contract named: no question at all")
    func billOfNamedContract() async throws {
        var chat = try await ready()
        try await chat.say("cuánto debo del contrato 10.234.567?")
        #expect(chat.text.contains("Tomo el contrato 10234567"))
        #expect(chat.text.contains("$ 242.900"))
    }

    @Test("A partial payment with its contract and amount: the coupon at once")
    func couponWithAmount() async throws {
        var chat = try await ready()
        try await chat.say("quiero hacer un abono de 50 mil a la factura del contrato 10234567")
        #expect(chat.text.contains("Tomo el valor de $ 50.000"))
        // The question that also gave the balance stays.
        #expect(chat.text.contains("Tu saldo es $ 242.900"))
        let coupons = await chat.effects.coupons
        #expect(coupons.count == 1 && coupons.first?.contract == "10234567" && coupons.first?.amount == 50_000)
    }

    @Test("A radicado named: the code is the only question")
    func radicadoNamed() async throws {
        var chat = try await ready()
        try await chat.say("quiero saber cómo va mi radicado 2026-0000123")
        #expect(chat.state.step == .askRadicadoCode && chat.state.radicadoTyped == "2026-0000123")
        #expect(chat.text.contains("Tomo el radicado 2026-0000123"))
    }

    @Test("A turn for a day named: that day when it has places; the list when it has none")
    func turnDay() async throws {
        var chat = try await ready()
        try await chat.say("necesito un turno en la oficina bello el 4 de diciembre")
        #expect(chat.state.step == .turnPart && chat.state.turn?.day == "2026-12-04")
        var other = try await ready()
        try await other.say("necesito un turno en la oficina bello el 5 de diciembre")
        #expect(other.state.step == .turnDay && other.choiceIDs.contains("turno_dia:2026-12-03"))
    }
}
