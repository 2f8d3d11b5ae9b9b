import EmaCore
import Foundation
import Testing

@Suite("Conversation engine: enrollment to Tu factura por WhatsApp")
struct AssistantTests {
    @Test("The whole procedure, in the seed's order, ends with the contract enrolled and the rules stated")
    func happyPath() async throws {
        var chat = Conversation()
        #expect(chat.text.contains("Soy Ema"))
        #expect(chat.choiceIDs == ["consentimiento_si", "consentimiento_leer", "consentimiento_no"])
        #expect(chat.text.contains("política de tratamiento de datos personales") && chat.text.contains("términos y condiciones"))
        try await chat.pick("consentimiento_si")
        #expect(chat.state.step == .mainMenu)
        #expect(chat.choiceIDs.first == "menu_factura_whatsapp")
        try await chat.pick("menu_factura_whatsapp")
        #expect(chat.choiceIDs == ["inscribir_contrato", "ver_contratos", "eliminar_contrato", "menu"])
        try await chat.pick("inscribir_contrato")
        #expect(chat.state.step == .askPhone)
        try await chat.say("+57 300 123 4567")
        #expect(chat.text.contains("3 minutos"))
        #expect(await chat.effects.codesSent == ["+573001234567"])
        try await chat.say("482913")
        #expect(chat.state.step == .askName)
        try await chat.say("María Fernanda Restrepo")
        #expect(chat.state.step == .askContract)
        try await chat.say("10234567")
        #expect(chat.state.step == .confirmAddress)
        #expect(chat.text.contains("CL 50 # 45-**"))
        #expect(!chat.text.contains("AP 301"))
        try await chat.pickRightAddress()
        #expect(chat.state.step == .confirmEnrollment)
        try await chat.pick("confirmar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567"])
        for rule in ["hasta 4 contratos", "eliminar un contrato", "no tiene ningún costo", "WhatsApp no reemplaza lo que ya recibes: tu factura te seguirá llegando impresa en la dirección del servicio.", "Factura Web"] {
            #expect(chat.text.contains(rule), "the confirmation should state «\(rule)»")
        }
        let consents = await chat.effects.consents
        #expect(consents.map(\.kind) == [.privacy, .terms])
        #expect(consents.allSatisfy { $0.granted && $0.version == "2026-11" && $0.channel == .web && $0.conversationID == "conv-1" })
        #expect(consents.map(\.textHash) == ["aa11", "bb22"])
    }

    @Test("Without authorization Ema cannot go on, says so kindly and names other channels")
    func consentRefused() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_no")
        #expect(chat.state.step == .consent)
        #expect(chat.text.contains("no puedo continuar"))
        #expect(chat.text.contains("604 4444 115"))
        // Both refusals are recorded, each with its document.
        #expect(await chat.effects.consents.map(\.granted) == [false, false])
        #expect(await chat.effects.consents.map(\.kind) == [.privacy, .terms])
        try await chat.pick("menu_factura_whatsapp")
        #expect(chat.state.step == .consent)
        try await chat.say("si")
        #expect(chat.state.step == .mainMenu)
    }

    @Test("The policy and the terms can be read before deciding: a line each and its page, not the whole text")
    func readDocuments() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_leer")
        #expect(chat.replies.contains(.link(url: "http://127.0.0.1:8080/legal/privacidad", title: "Lee el texto completo")))
        #expect(chat.replies.contains(.link(url: "http://127.0.0.1:8080/legal/terminos", title: "Lee el texto completo")))
        #expect(chat.text.contains("Texto de los términos"))
        #expect(chat.state.step == .consent && chat.choiceIDs.first == "consentimiento_si")
        try await chat.pick("consentimiento_no")
        #expect(chat.state.step == .consent)
        #expect(await chat.effects.consents.map(\.granted) == [false, false])
    }

    @Test("A conversation left at the old terms step (an earlier Ema) is asked the terms alone")
    func legacyTermsStep() async throws {
        var chat = Conversation()
        chat.state.step = .terms
        chat.state.privacyVersion = "2026-11"
        try await chat.say("hola")
        #expect(chat.choiceIDs == ["terminos_si", "terminos_leer", "terminos_no"])
        try await chat.pick("terminos_si")
        #expect(chat.state.step == .mainMenu && chat.state.termsVersion == "2026-11")
        #expect(await chat.effects.consents.map(\.kind) == [.terms])
    }

    @Test("A conversation stored at the policy question of an earlier Ema: «sí» accepts the policy alone, then the terms are asked")
    func legacyConsentStep() async throws {
        var chat = Conversation()
        chat.state.bothAsked = nil
        try await chat.pick("consentimiento_si")
        #expect(chat.state.step == .terms && chat.state.privacyVersion == "2026-11" && chat.state.termsVersion == nil)
        #expect(await chat.effects.consents.map(\.kind) == [.privacy])
        try await chat.pick("terminos_si")
        #expect(chat.state.step == .mainMenu)
        #expect(await chat.effects.consents.map(\.kind) == [.privacy, .terms])
    }

    @Test("A number that is not a Colombian mobile is refused with an example")
    func badPhone() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        for bad in ["604 444 4115", "300123", "mi numero"] {
            try await chat.say(bad)
            #expect(chat.state.step == .askPhone)
            #expect(chat.text.contains("300 123 4567"))
        }
        #expect(await chat.effects.codesSent.isEmpty)
    }

    @Test("Wrong codes count down, then the code is dead until a new one is sent")
    func wrongCodes() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("111111")
        #expect(chat.text.contains("quedan 4 intentos"))
        try await chat.say("no me ha llegado")
        #expect(chat.text.contains("reenviártelo"))
        for _ in 0..<3 { try await chat.say("222222") }
        #expect(chat.text.contains("queda 1 intento"))
        try await chat.say("333333")
        #expect(chat.text.contains("se superaron los intentos"))
        try await chat.say("482913")
        #expect(chat.state.verifiedPhone == nil)
        try await chat.pick("reenviar_codigo")
        try await chat.say("482913")
        #expect(chat.state.verifiedPhone == "+573001234567")
    }

    @Test("An expired code, a resend too soon, the hourly limit and a failed SMS each get their own answer")
    func codeTroubles() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        await chat.effects.expireCode()
        try await chat.say("482913")
        #expect(chat.text.contains("venció"))
        await chat.effects.set(.wait(seconds: 42))
        try await chat.pick("reenviar_codigo")
        #expect(chat.text.contains("42 segundos"))
        await chat.effects.set(.hourlyLimit(retryAfterSeconds: 1_800))
        try await chat.pick("reenviar_codigo")
        #expect(chat.text.contains("máximo de 5 códigos"))
        #expect(chat.text.contains("30 minutos"))
        await chat.effects.set(.deviceLimit(retryAfterSeconds: 600))
        try await chat.pick("reenviar_codigo")
        #expect(chat.text.contains("desde esta conexión"))
        #expect(chat.text.contains("10 minutos"))
    }

    @Test("A name needs first and last names, letters only")
    func names() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("482913")
        for bad in ["Ana", "12345 678", "Ana <script>"] {
            try await chat.say(bad)
            #expect(chat.state.step == .askName)
        }
        try await chat.say("  Ana   María  López ")
        #expect(chat.state.holderName == "Ana María López")
    }

    @Test("Unknown, malformed and inactive contracts are named clearly")
    func contracts() async throws {
        var chat = Conversation()
        try await chat.reachAddress("99999999")
        #expect(chat.text.contains("No encontré el contrato 99999999"))
        #expect(chat.state.step == .askContract)
        try await chat.say("12AB")
        #expect(chat.text.contains("entre 4 y 12 dígitos"))
        try await chat.say("30456789")
        #expect(chat.text.contains("no está activo"))
        #expect(await chat.effects.enrolled.isEmpty)
    }

    @Test("The address is offered masked among decoys, the same each time; a wrong pick enrolls nothing")
    func addressRejected() async throws {
        var chat = Conversation()
        try await chat.reachAddress()
        let first = chat.state.addressChoices
        #expect(first.count == 3)
        #expect(first.filter { $0.title == "CL 50 # 45-**" }.count == 1)
        let wrong = first.first { $0.id != chat.state.rightAddressID }!.id
        try await chat.pick(wrong)
        #expect(chat.text.contains("no puedo inscribir este contrato"))
        #expect(chat.text.contains("oficinas"))
        #expect(await chat.effects.enrolled.isEmpty)
        try await chat.pick("inscribir_contrato")
        try await chat.say("10234567")
        #expect(chat.state.addressChoices == first)
        try await chat.pick("direccion_ninguna")
        #expect(await chat.effects.enrolled.isEmpty)
    }

    @Test("A fifth contract is refused, explaining the limit and offering to remove one")
    func fifthContract() async throws {
        var chat = Conversation()
        await chat.effects.preEnroll("+573001234567", ["20345678", "40567890", "50678901", "60789012"])
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("482913")
        #expect(chat.text.contains("máximo permitido"))
        #expect(chat.choiceIDs.contains("eliminar_contrato"))
        try await chat.pick("eliminar_contrato")
        #expect(chat.state.step == .chooseRemoval)
        try await chat.pick("eliminar:60789012")
        try await chat.pick("eliminar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["20345678", "40567890", "50678901"])
        #expect(chat.text.contains("Tu factura te seguirá llegando impresa en la dirección del servicio."))
        try await chat.pick("inscribir_contrato")
        #expect(chat.text.contains("ya verificaste"))
        #expect(chat.state.step == .askName)
    }

    @Test("My contracts can be listed and removed, after verifying the number")
    func listAndRemove() async throws {
        var chat = Conversation()
        await chat.effects.preEnroll("+573001234567", ["10234567"])
        try await chat.pick("consentimiento_si")
        try await chat.say("que contratos tengo inscritos")
        #expect(chat.state.step == .askPhone)
        try await chat.say("3001234567")
        try await chat.say("482913")
        #expect(chat.text.contains("Contrato 10234567 — CL 50 # 45-**"))
        try await chat.pick("eliminar_contrato")
        try await chat.pick("eliminar:10234567")
        try await chat.pick("eliminar_no")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567"])
        try await chat.pick("eliminar_contrato")
        try await chat.say("1")
        try await chat.say("sí")
        #expect(await chat.effects.enrolled["+573001234567"] == [])
    }

    @Test("A number verified in this conversation is not asked again within 30 minutes")
    func verificationReuse() async throws {
        var chat = Conversation()
        try await chat.reachAddress()
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
        try await chat.pick("inscribir_contrato")
        #expect(chat.state.step == .askContract)
        try await chat.say("20345678")
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567", "20345678"])
        #expect(await chat.effects.codesSent.count == 1)
        try await chat.say("menu", after: 31 * 60 - 20)
        try await chat.pick("menu_factura_whatsapp", )
        try await chat.pick("inscribir_contrato")
        #expect(chat.state.step == .askPhone)
    }

    @Test("menú, cancelar and volver work at any step")
    func globalCommands() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("volver")
        #expect(chat.state.step == .askPhone)
        try await chat.say("Menú")
        #expect(chat.state.step == .mainMenu)
        try await chat.pick("menu_factura_whatsapp")
        try await chat.pick("inscribir_contrato")
        try await chat.say("cancelar")
        #expect(chat.state.step == .mainMenu)
        #expect(chat.text.contains("cancelé"))
    }

    @Test("Options can be picked by number or by their words")
    func pickByNumberOrWords() async throws {
        var chat = Conversation()
        try await chat.say("leer los documentos")
        #expect(chat.state.step == .consent && chat.text.contains("Texto de la política"))
        try await chat.say("1")
        #expect(chat.state.step == .mainMenu)
        try await chat.say("1")
        #expect(chat.state.step == .enrollmentMenu)
        try await chat.say("inscribir un contrato")
        #expect(chat.state.step == .askPhone)
    }

    @Test("Free text finds its way: enrollment, damage with safety first, lines, and kindness when not understood")
    func freeText() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_si")
        try await chat.say("huele mucho a gas en la cocina")
        #expect(chat.text.hasPrefix("⚠️"))
        #expect(chat.text.contains("604 4444 115"))
        try await chat.say("a que numero los llamo")
        #expect(chat.text.contains("01 8000 415 115"))
        try await chat.say("donde quedan las oficinas en bello")
        #expect(chat.text.contains("Oficina Bello: CR 50 51 30"))
        #expect(chat.text.contains("http://127.0.0.1:8080/oficinas"))
        try await chat.say("quien gano el partido ayer")
        #expect(chat.text.contains("no entendí"))
        #expect(chat.choiceIDs.first == "menu_factura_whatsapp")
        try await chat.say("quiero recibir la factura por wasap")
        #expect(chat.state.step == .askPhone)
    }

    @Test("Fifteen quiet minutes start the conversation over, keeping the authorization")
    func idle() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("hola", after: 16 * 60)
        #expect(chat.text.contains("empecemos de nuevo"))
        #expect(chat.state.step == .mainMenu)
        #expect(chat.state.privacyVersion == "2026-11")
    }

    @Test("The state survives a round trip through JSON, so a restart loses nothing")
    func persistence() async throws {
        var chat = Conversation()
        try await chat.reachAddress()
        let data = try JSONEncoder().encode(chat.state)
        let restored = try JSONDecoder().decode(ConversationState.self, from: data)
        #expect(restored == chat.state)
        chat.state = restored
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567"])
    }

    @Test("Replies encode as interfaces.md says")
    func replyJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(Reply.choices("¿Sí?", [Choice("a", "A")])), as: UTF8.self)
        #expect(text == #"{"choices":[{"id":"a","title":"A"}],"kind":"choices","text":"¿Sí?"}"#)
        let link = String(decoding: try encoder.encode(Reply.link(url: "u", title: "t")), as: UTF8.self)
        #expect(link == #"{"kind":"link","title":"t","url":"u"}"#)
        #expect(try JSONDecoder().decode(Reply.self, from: Data(text.utf8)) == .choices("¿Sí?", [Choice("a", "A")]))
    }
}
