import EmaCore
import Foundation
import Testing

@Suite("Booking a turn with Ema")
struct TurnFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    @Test("Office → day → morning or afternoon → time → a code; only offices that give turns are offered")
    func books() async throws {
        var chat = try await ready()
        try await chat.say("quiero pedir un turno")
        #expect(chat.choiceIDs == ["turno_oficina:Oficina Miguel de Aguinaga", "turno_oficina:Oficina Bello", "turno_cancelar"])
        try await chat.pick("turno_oficina:Oficina Bello")
        #expect(chat.text.contains("Oficina Bello (CR 50 51 30). ¿Qué día quieres ir?"))
        #expect(chat.choiceIDs == ["turno_dia:2026-12-03", "turno_dia:2026-12-04", "turno_dia:2026-12-07"])
        #expect(chat.text.contains("[jueves 3 de diciembre | viernes 4 de diciembre | lunes 7 de diciembre]"))
        try await chat.say("2")
        #expect(chat.text.contains("¿En la mañana (de 8:00 a. m. a 11:30 a. m.) o en la tarde (de 2:00 p. m. a 4:30 p. m.)?"))
        try await chat.say("en la tarde")
        #expect(chat.choiceIDs == ["turno_hora:14:00", "turno_hora:16:30"])
        #expect(chat.text.contains("2:00 p. m. (2 cupos)"))
        try await chat.pick("turno_hora:16:30")
        #expect(chat.text.contains("tu turno es el T-ABC230: viernes 4 de diciembre de 2026, a las 4:30 p. m., en Oficina Bello (CR 50 51 30)"))
        #expect(chat.state.step == .mainMenu && chat.state.turn == nil)
        let turns = await chat.effects.turns
        #expect(turns == [TurnTicket(code: "T-ABC230", office: "Oficina Bello", day: CivilDate("2026-12-04")!, time: "16:30")])
        // The web has no number to tie the turn to.
        #expect(await chat.effects.turnPhones == [nil])
    }

    @Test("Naming the office books straight to the days; on WhatsApp the turn carries the sender's number")
    func namedOfficeOnWhatsApp() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.say("necesito un turno en la oficina bello")
        #expect(chat.state.step == .turnDay && chat.state.turn?.office == "Oficina Bello")
        try await chat.pick("turno_dia:2026-12-03")
        try await chat.pick("turno_parte:manana")
        try await chat.pick("turno_hora:08:00")
        #expect(await chat.effects.turnPhones == ["+573104445566"])
    }

    @Test("Only the part of a day with places is offered; a slot filled meanwhile asks for another hour")
    func fullSlots() async throws {
        var chat = try await ready()
        await chat.effects.fill(office: "Oficina Bello", day: "2026-12-03", time: "08:00")
        await chat.effects.fill(office: "Oficina Bello", day: "2026-12-03", time: "11:30")
        try await chat.say("sacar turno en Bello")
        try await chat.pick("turno_dia:2026-12-03")
        // No morning left: straight to the afternoon hours.
        #expect(chat.state.step == .turnTime && chat.choiceIDs == ["turno_hora:14:00", "turno_hora:16:30"])
        await chat.effects.fill(office: "Oficina Bello", day: "2026-12-03", time: "14:00")
        try await chat.pick("turno_hora:14:00")
        #expect(chat.text.contains("Esa hora se llenó mientras elegías"))
        #expect(chat.choiceIDs == ["turno_hora:16:30"])
        #expect(await chat.effects.turns.isEmpty)
    }

    @Test("An office with no places in the coming days says so and offers the others")
    func officeFull() async throws {
        var chat = try await ready()
        for day in ["2026-12-03", "2026-12-04", "2026-12-07"] {
            for time in ["08:00", "11:30", "14:00", "16:30"] { await chat.effects.fill(office: "Oficina Bello", day: day, time: time) }
        }
        try await chat.say("pedir un turno")
        try await chat.pick("turno_oficina:Oficina Bello")
        #expect(chat.text.contains("En Oficina Bello ya no quedan turnos para los próximos días hábiles"))
        #expect(chat.text.contains("Lunes a viernes de 7:30 a. m. a 5:30 p. m."))
        #expect(chat.choiceIDs.contains("turno_oficina:Oficina Miguel de Aguinaga"))
    }

    @Test("A turn is cancelled by its code; a wrong code is told apart from a malformed one")
    func cancels() async throws {
        var chat = try await ready()
        try await chat.say("pedir turno")
        try await chat.pick("turno_oficina:Oficina Miguel de Aguinaga")
        try await chat.pick("turno_dia:2026-12-07")
        try await chat.pick("turno_parte:manana")
        try await chat.pick("turno_hora:11:30")
        let code = try #require(await chat.effects.turns.first?.code)
        try await chat.say("quiero cancelar mi turno")
        #expect(chat.state.step == .turnCancelCode)
        try await chat.say("12345")
        #expect(chat.text.contains("Ese no parece un código de turno"))
        try await chat.say("T-ZZZZZZ")
        #expect(chat.text.contains("No encontré un turno por atender con el código T-ZZZZZZ"))
        try await chat.pick("menu_oficinas")
        try await chat.pick("turno_pedir")
        try await chat.pick("turno_cancelar")
        try await chat.say(code.lowercased())
        // Ema asks first; «no» keeps the turn.
        #expect(chat.state.step == .turnCancelConfirm && chat.text.contains("¿Cancelo tu turno \(code) del lunes 7 de diciembre de 2026 a las 11:30 a. m."))
        #expect(chat.choiceIDs == ["turno_cancelar_si", "turno_cancelar_no"])
        try await chat.pick("turno_cancelar_no")
        #expect(chat.text.contains("sigue en pie") && chat.state.step == .mainMenu)
        #expect(await chat.effects.turns.count == 1)
        try await chat.say("cancelar turno")
        try await chat.say(code)
        try await chat.say("sí")
        #expect(chat.text.contains("Cancelé tu turno \(code) del lunes 7 de diciembre de 2026 a las 11:30 a. m. en Oficina Miguel de Aguinaga"))
        #expect(await chat.effects.turns.isEmpty)
        #expect(await chat.effects.booked.values.allSatisfy { $0 == 0 })
    }

    @Test("Another question in the middle of a booking is answered; «volver» goes back a step")
    func detours() async throws {
        var chat = try await ready()
        try await chat.say("pedir turno")
        try await chat.say("una oficina que no existe")
        #expect(chat.text.contains("No tengo oficinas con turnos con ese nombre") && chat.state.step == .turnOffice)
        try await chat.pick("turno_oficina:Oficina Bello")
        try await chat.pick("turno_dia:2026-12-03")
        try await chat.say("volver")
        #expect(chat.state.step == .turnDay)
        try await chat.say("cuanto debo de la factura")
        #expect(chat.state.turn == nil && chat.state.step != .turnDay)
    }

    @Test("The spoken time of a slot, as Colombians say it")
    func spoken() {
        #expect(TurnSlot(time: "08:00", left: 1).spoken == "8:00 a. m.")
        #expect(TurnSlot(time: "12:00", left: 1).spoken == "12:00 m.")
        #expect(TurnSlot(time: "12:30", left: 1).spoken == "12:30 p. m.")
        #expect(TurnSlot(time: "16:30", left: 1).spoken == "4:30 p. m.")
    }
}
