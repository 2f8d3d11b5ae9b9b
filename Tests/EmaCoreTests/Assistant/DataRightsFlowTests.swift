import EmaCore
import Foundation
import Testing

@Suite("The holder's rights over their personal data, in the conversation")
struct DataRightsFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        try await chat.say("mis datos personales")
        return chat
    }

    /// Verifies the number with the fake's code.
    func verify(_ chat: inout Conversation, _ phone: String = "300 123 4567") async throws {
        try await chat.say(phone)
        try await chat.say(await chat.effects.code)
    }

    @Test("The menu of rights, the policy's link, and nothing done before the number is verified")
    func menu() async throws {
        var chat = try await ready()
        #expect(chat.choiceIDs == ["datos_conocer", "datos_actualizar", "datos_suprimir", "datos_revocar", "datos_promociones"])
        #expect(chat.text.contains("Ley 1581 de 2012") && chat.text.contains("/legal/privacidad"))
        try await chat.say("quiero que me borren todo")
        #expect(chat.state.dataRight?.action == .suprimir && chat.state.step == .askPhone)
        try await chat.say("300 123 4567")
        try await chat.say("111111")
        #expect(chat.text.contains("no coincide"))
        #expect(await chat.effects.dataRequests.isEmpty)
    }

    @Test("Suppression asks to confirm, exercises the right for the verified number, and leaves a state the server forgets")
    func suppress() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573001234567")
        try await chat.pick("datos_suprimir")
        try await chat.pick("usar_este_numero")
        try await chat.say(await chat.effects.code)
        #expect(chat.text.contains("No se puede deshacer") && chat.choiceIDs == ["datos_confirmar", "datos_no"])
        try await chat.say("tal vez")
        let none = await chat.effects.dataRequests
        #expect(chat.state.step == .dataConfirm && none.isEmpty)
        try await chat.pick("datos_confirmar")
        let request = try #require(await chat.effects.dataRequests.first)
        #expect(request.action == .suppress && request.phone == "+573001234567" && request.channel == .whatsapp)
        #expect(chat.text.contains("Suprimí tus datos personales") && chat.text.contains("HD-2026-0000001"))
        #expect(chat.state.forget == true && chat.state.verifiedPhone == nil && chat.state.transcript.isEmpty && chat.state.privacyVersion == nil)
    }

    @Test("Saying no to the confirmation changes nothing")
    func cancel() async throws {
        var chat = try await ready()
        try await chat.pick("datos_revocar")
        try await verify(&chat)
        try await chat.pick("datos_no")
        #expect(chat.text.contains("No hice ningún cambio") && chat.state.step == .mainMenu)
        let requests = await chat.effects.dataRequests
        #expect(requests.isEmpty && chat.state.privacyVersion != nil)
    }

    @Test("Revocation is exercised for the verified number, names the ended contracts, and asks the authorization again")
    func revoke() async throws {
        var chat = try await ready()
        try await chat.pick("datos_revocar")
        try await verify(&chat)
        await chat.effects.setReceipt(DataRightReceipt(code: "HD-2026-0000007", contracts: ["10234567", "10345678"]))
        try await chat.pick("datos_confirmar")
        #expect(chat.text.contains("tus contratos 10234567 y 10345678") && chat.text.contains("impresa"))
        let request = try #require(await chat.effects.dataRequests.last)
        #expect(request.action == .revoke && request.phone == "+573001234567")
        // The refusal is the server's to write, with the request (one place for both channels).
        #expect(await chat.effects.consents.allSatisfy(\.granted))
        #expect(chat.state.step == .consent && chat.state.privacyVersion == nil && chat.state.forget == nil)
        try await chat.say("hola")
        #expect(chat.choiceIDs.contains("consentimiento_si"))
    }

    @Test("Updating: a name in letters, a new number that is not the same, a correction in words")
    func update() async throws {
        var chat = try await ready()
        try await chat.pick("datos_actualizar")
        try await chat.pick("datos_nombre")
        try await verify(&chat)
        try await chat.say("Ana")
        #expect(chat.text.contains("nombres y apellidos"))
        try await chat.say("Ana   María  Gómez")
        #expect(await chat.effects.dataRequests.last?.action == .rename("Ana María Gómez"))
        // Nothing was enrolled on the number: Ema does not claim to have changed a name.
        #expect(chat.text.contains("no tiene inscripciones activas") && !chat.text.contains("Actualicé"))

        try await chat.say("mis datos personales")
        try await chat.pick("datos_actualizar")
        try await chat.pick("datos_numero")
        #expect(chat.text.contains("que ya verificaste"))
        try await chat.say("300 123 4567")
        #expect(chat.text.contains("mismo número"))
        try await chat.say("310 555 0101")
        try await chat.say(await chat.effects.code)
        let move = try #require(await chat.effects.dataRequests.last)
        #expect(move.action == .renumber("+573105550101") && move.phone == "+573001234567")

        try await chat.say("mis datos personales")
        try await chat.pick("datos_actualizar")
        try await chat.pick("datos_otro")
        try await chat.say("mal")
        #expect(chat.text.contains("Cuéntame un poco más"))
        await chat.effects.setReceipt(DataRightReceipt(code: "HD-2026-0000009", dueOn: CivilDate("2026-12-24")))
        try await chat.say("Mi apellido es Gómez con tilde, no Gomez")
        #expect(chat.text.contains("HD-2026-0000009") && chat.text.contains("24 de diciembre de 2026"))
    }

    @Test("The copy's link is said once and never kept in the transcript an advisor reads; without a link (the kiosk) Ema says it went by SMS")
    func copyLink() async throws {
        var chat = try await ready()
        await chat.effects.setReceipt(DataRightReceipt(code: "HD-2026-0000003", link: "http://127.0.0.1:8080/datos-personales/copia/0123456789abcdef0123456789abcdef"))
        try await chat.pick("datos_conocer")
        try await verify(&chat)
        #expect(chat.text.contains("/datos-personales/copia/0123456789abcdef0123456789abcdef"))
        #expect(!chat.state.transcript.contains { $0.text.contains("0123456789abcdef") })
        #expect(chat.state.transcript.contains { $0.text.contains("/datos-personales/copia/(enlace privado)") })

        var kiosk = Conversation(channel: .kiosk)
        try await kiosk.pick("consentimiento_si")
        try await kiosk.say("mis datos personales")
        try await kiosk.pick("datos_conocer")
        try await verify(&kiosk)
        #expect(kiosk.text.contains("Te envié por mensaje de texto al 300 123 4567 el enlace"))
    }

    @Test("Naming a right from the menu goes straight to it; asking in general shows the rights")
    func namedRight() async throws {
        var chat = Conversation(channel: .web)
        try await chat.pick("consentimiento_si")
        try await chat.say("quiero que borren mis datos")
        #expect(chat.state.dataRight?.action == .suprimir && chat.state.step == .askPhone)
        try await chat.say("menú")
        try await chat.say("no autorizo el uso de mis datos")
        #expect(chat.state.dataRight?.action == .revocar)
        try await chat.say("menú")
        try await chat.say("habeas data")
        #expect(chat.state.step == .dataMenu && chat.state.dataRight == nil)
    }

    @Test("The holder's data need a verification of moments ago; an idle conversation forgets the verification")
    func freshVerification() async throws {
        var chat = try await ready()
        try await chat.pick("datos_conocer")
        try await verify(&chat)
        #expect(await chat.effects.dataRequests.count == 1)
        chat.now = chat.now.addingTimeInterval(6 * 60)
        try await chat.say("mis datos personales")
        try await chat.pick("datos_conocer")
        #expect(chat.state.step == .askPhone && !chat.text.contains("que ya verificaste"))
        try await verify(&chat)
        chat.now = chat.now.addingTimeInterval(60 * 60)
        try await chat.say("hola")
        #expect(chat.state.verifiedPhone == nil)
    }
}
