import EmaCore
import Foundation
import Testing

@Suite("Handing a conversation to a human advisor")
struct HandoffFlowTests {
    /// 2026-11-18 at the given Bogotá hour.
    static func bogota(_ hour: Int, _ minute: Int = 0) -> Date {
        Date(timeIntervalSince1970: Double(CivilDate("2026-11-18")!.dayNumber) * 86_400 + Double((hour + 5) * 3_600 + minute * 60))
    }

    func ready(at hour: Int, channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        chat.now = Self.bogota(hour)
        try await chat.pick("consentimiento_si")
        return chat
    }

    @Test("The advisors' hours: 8:00 a. m. to 8:00 p. m. Bogotá, every day, or what the data file says")
    func hours() {
        let hours = AdvisorHours()
        #expect(!hours.isOpen(at: Self.bogota(7, 59)) && hours.isOpen(at: Self.bogota(8)) && hours.isOpen(at: Self.bogota(19, 59)) && !hours.isOpen(at: Self.bogota(20)))
        #expect(hours.spoken == "8:00 a. m. a 8:00 p. m.")
        #expect(AdvisorHours(opens: "07:30", closes: "18:00") == AdvisorHours(opens: 450, closes: 1_080))
        #expect(AdvisorHours(opens: "20:00", closes: "08:00") == nil && AdvisorHours(opens: "8", closes: "20:00") == nil)
    }

    @Test("In hours the conversation goes to the queue with its history (never a code); what the customer writes reaches the advisor")
    func handsOff() async throws {
        var chat = try await ready(at: 10)
        try await chat.say("cuánto debo")
        try await chat.say("quiero hablar con un asesor")
        #expect(chat.text.contains("Te comunico con un asesor") && chat.text.contains("Hay 2 personas antes que tú en la fila"))
        #expect(chat.state.step == .withAgent && chat.state.liveChat == "chat-1")
        let request = try #require(await chat.effects.agentRequests.first)
        #expect(request.channel == .web && request.phone == nil && request.message == nil)
        #expect(request.transcript.contains(.init(who: "cliente", text: "cuánto debo")))
        #expect(request.transcript.contains(.init(who: "cliente", text: "quiero hablar con un asesor")))
        #expect(request.transcript.contains { $0.who == "ema" && $0.text.contains("¿En qué te puedo ayudar hoy?") })

        // Words that would be commands or options elsewhere go to the advisor.
        try await chat.say("2")
        try await chat.say("mi factura llegó muy alta")
        #expect(await chat.effects.agentMessages == ["2", "mi factura llegó muy alta"])
        #expect(chat.text.contains("Tu mensaje quedó para el asesor. Hay 2 personas antes que tú"))
        await chat.effects.setAgentStatus(.attending(name: "Laura"))
        try await chat.say("¿sigue ahí?")
        #expect(chat.replies.isEmpty)
        // A long wait does not start the conversation over.
        try await chat.say("hola?", after: 40 * 60)
        #expect(chat.state.step == .withAgent && chat.replies.isEmpty)
    }

    @Test("«cancelar» while waiting leaves the queue; after being attended it ends the chat and asks the rating")
    func leaves() async throws {
        var chat = try await ready(at: 15)
        try await chat.pick("menu_asesor")
        try await chat.say("cancelar")
        #expect(chat.text.contains("saliste de la fila") && chat.state.liveChat == nil && chat.state.step == .mainMenu)
        #expect(await chat.effects.leftChats == ["chat-1"])

        await chat.effects.setAgentStatus(.attending(name: "Laura"))
        try await chat.pick("menu_asesor")
        #expect(chat.text.contains("Ya estás conversando con Laura"))
        try await chat.say("salir")
        #expect(chat.text.contains("¿Cómo calificarías la atención que recibiste, de 1 a 5?") && chat.choiceIDs.count == 5)
        try await chat.pick("calificacion:4")
        try await chat.say("Muy amable")
        let ratings = await chat.effects.chatRatings
        #expect(ratings.count == 1 && ratings[0].chat == "chat-2" && ratings[0].score == 4 && ratings[0].comment == "Muy amable")
        #expect(chat.text.contains("Gracias, tu opinión nos ayuda a mejorar"))
    }

    @Test("When the advisor closed the chat (the server sets the survey), a typed 5 is the rating, not menu option 5")
    func ratedAfterClose() async throws {
        var chat = try await ready(at: 11, channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.say("hablar con un asesor")
        #expect(await chat.effects.agentRequests.first?.phone == "+573104445566")
        // What the server does when the advisor closes.
        chat.state.liveChat = nil
        chat.state.step = .mainMenu
        chat.state.pendingSurvey = "chat:chat-1"
        chat.state.offered = SurveyChoices.rating
        try await chat.say("5")
        try await chat.pick("encuesta_sin_comentario")
        let ratings = await chat.effects.chatRatings
        #expect(ratings.count == 1 && ratings[0].score == 5 && ratings[0].comment == nil)
        #expect(await chat.effects.cases.isEmpty)
        try await chat.say("cuanto debo")
        #expect(chat.state.step != .withAgent)
    }

    @Test("Out of hours Ema offers a PQR or a message; a message on the web asks where to send the answer")
    func outOfHours() async throws {
        var chat = try await ready(at: 21)
        try await chat.say("quiero hablar con un asesor")
        #expect(chat.text.contains("todos los días de 8:00 a. m. a 8:00 p. m.") && chat.text.contains("no hay nadie en línea"))
        #expect(chat.choiceIDs == ["menu_pqr", "asesor_mensaje", "menu"])
        #expect(await chat.effects.agentRequests.isEmpty)
        try await chat.pick("asesor_mensaje")
        try await chat.say("ok")
        #expect(chat.text.contains("Cuéntame en pocas palabras"))
        try await chat.say("Necesito saber por qué me cobraron una reconexión")
        #expect(chat.text.contains("¿A qué celular te enviamos la respuesta"))
        try await chat.say("12345")
        #expect(chat.text.contains("no parece un celular"))
        try await chat.say("300 123 4567")
        let request = try #require(await chat.effects.agentRequests.first)
        #expect(request.message == "Necesito saber por qué me cobraron una reconexión" && request.phone == "+573001234567")
        #expect(chat.text.contains("por mensaje de texto al 300 123 4567") && chat.state.step == .mainMenu)

        var whatsapp = try await ready(at: 6, channel: .whatsapp, senderPhone: "+573104445566")
        try await whatsapp.pick("menu_asesor")
        try await whatsapp.pick("asesor_mensaje")
        try await whatsapp.say("Quiero cambiar la fecha de pago")
        #expect(await whatsapp.effects.agentRequests.first?.phone == "+573104445566")
        #expect(whatsapp.text.contains("por este mismo chat de WhatsApp"))
    }

    @Test("A verification code typed in the conversation never reaches the advisor's history")
    func noCodes() async throws {
        var chat = try await ready(at: 9)
        try await chat.pick("menu_factura_whatsapp")
        try await chat.pick("inscribir_contrato")
        try await chat.say("300 123 4567")
        try await chat.say("482913")
        try await chat.say("menú")
        try await chat.say("hablar con un asesor")
        let request = try #require(await chat.effects.agentRequests.first)
        #expect(!request.transcript.contains { $0.text.contains("482913") })
        #expect(request.transcript.contains(.init(who: "cliente", text: "(código de verificación)")))
        #expect(request.transcript.count <= ConversationState.transcriptLength)
    }
}
