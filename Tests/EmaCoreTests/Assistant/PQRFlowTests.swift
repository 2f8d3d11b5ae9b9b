import EmaCore
import Foundation
import Testing

@Suite("Ema files and looks up PQRs")
struct PQRFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    @Test("A reclamo on the web: type, topic, contract, story, name, phone, confirmation, radicado and code")
    func reclamoOnTheWeb() async throws {
        var chat = try await ready()
        // «un reclamo» names the type: Ema does not ask it again.
        try await chat.say("quiero poner un reclamo")
        #expect(chat.text.contains("¿Sobre qué tema es tu reclamo?"))
        #expect(chat.state.pqr?.type == .reclamo)
        try await chat.pick("tema_factura")
        #expect(!chat.choiceIDs.contains("pqr_sin_contrato"))
        try await chat.say("99999999")
        #expect(chat.text.contains("No encontré el contrato 99999999"))
        try await chat.say("10234567")
        #expect(chat.text.contains("Cuéntame en un solo mensaje"))
        try await chat.say("corto")
        #expect(chat.text.contains("al menos 10 caracteres"))
        try await chat.say("Me cobraron un consumo de 900 kWh y en la casa no vive nadie desde octubre.")
        #expect(!chat.choiceIDs.contains("pqr_anonimo"))
        try await chat.say("Ana María Restrepo")
        #expect(chat.choiceIDs == ["pqr_sin_celular"])
        try await chat.say("12345")
        #expect(chat.text.contains("no parece un celular colombiano"))
        try await chat.say("300 123 4567")
        #expect(chat.text.contains("Contrato: 10234567"))
        #expect(chat.text.contains("Te avisamos al: \(ColombianMobile.display("+573001234567"))"))
        try await chat.pick("pqr_radicar")
        #expect(chat.text.contains("Número de radicado: 2026-0000001"))
        #expect(chat.text.contains("Código de consulta: K7M2QX"))
        #expect(chat.text.contains("miércoles 23 de diciembre de 2026"))
        let filings = await chat.effects.filings
        #expect(filings.count == 1)
        let filing = try #require(filings.first)
        #expect(filing.type == .reclamo && filing.causal == "F103" && filing.contractNumber == "10234567")
        #expect(filing.name == "Ana María Restrepo" && !filing.anonymous && filing.phone == "+573001234567" && filing.channel == .web)
        #expect(chat.state.pqr == nil && chat.state.step == .mainMenu)
    }

    @Test("A queja on WhatsApp may be anonymous and uses the sender's number without asking")
    func anonymousQuejaOnWhatsApp() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.pick("menu_pqr")
        try await chat.pick("pqr_tipo:queja")
        try await chat.pick("tema_atencion")
        #expect(chat.choiceIDs == ["pqr_sin_contrato"])
        try await chat.pick("pqr_sin_contrato")
        try await chat.say("En la oficina del centro me atendieron de muy mala manera el lunes.")
        #expect(chat.choiceIDs == ["pqr_anonimo"])
        try await chat.pick("pqr_anonimo")
        #expect(chat.text.contains("A nombre de: anónimo"))
        try await chat.say("no")
        #expect(chat.text.contains("no radiqué nada"))
        #expect(await chat.effects.filings.isEmpty)
    }

    @Test("Looking up: a wrong code says nothing about the radicado; five misses stop the lookups")
    func lookup() async throws {
        var chat = try await ready()
        try await chat.pick("menu_pqr")
        try await chat.pick("pqr_tipo:peticion")
        try await chat.pick("tema_otro")
        try await chat.pick("pqr_sin_contrato")
        try await chat.say("Necesito un certificado de estar a paz y salvo con la empresa.")
        try await chat.say("Carlos Gómez")
        try await chat.pick("pqr_sin_celular")
        try await chat.pick("pqr_radicar")
        try await chat.say("consultar mi radicado")
        #expect(chat.state.step == .askRadicado)
        try await chat.say("2026-1")
        #expect(chat.text.contains("código de consulta"))
        try await chat.say("k7m-2qx")
        #expect(chat.text.contains("Radicado 2026-0000001 · Petición") && chat.text.contains("Radicada, en estudio"))
        for attempt in 1...5 {
            try await chat.say("consultar radicado")
            try await chat.say(attempt == 1 ? "2026-0000099" : "2026-0000001")
            try await chat.say("AAAAAA")
            if attempt < 5 { #expect(chat.text.contains("No encontré una solicitud con ese radicado y ese código")) }
        }
        #expect(chat.text.contains("no puedo seguir consultando radicados"))
        let before = await chat.effects.lookups
        try await chat.say("consultar radicado")
        try await chat.say("2026-0000001")
        try await chat.say("K7M2QX")
        #expect(await chat.effects.lookups == before)
    }

    @Test("A pending survey reads 1–5 as the rating and then the comment; anything else drops it")
    func survey() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573104445566")
        chat.state.pendingSurvey = "2026-0000007"
        try await chat.say("4")
        #expect(chat.text.contains("¡Gracias por tu calificación!"))
        try await chat.say("Me respondieron rápido")
        let ratings = await chat.effects.ratings
        #expect(ratings.count == 1 && ratings[0].radicado == "2026-0000007" && ratings[0].score == 4 && ratings[0].comment == "Me respondieron rápido")
        #expect(chat.state.pendingSurvey == nil)
        chat.state.pendingSurvey = "2026-0000008"
        try await chat.say("hola")
        #expect(chat.state.pendingSurvey == nil)
        try await chat.say("1")
        #expect(await chat.effects.ratings.count == 1)
    }

    @Test("Inside the PQR, words that are not an option are taken when they fit the step, and otherwise asked again; the PQR never falls back to the menu")
    func wordsInsideTheFlow() async throws {
        var chat = try await ready()
        try await chat.say("quiero radicar una PQR")
        #expect(chat.choiceIDs.contains("pqr_tipo:queja"))
        try await chat.say("mmm no sé")
        #expect(chat.text.contains("No te entendí") && chat.choiceIDs.contains("pqr_tipo:queja"))
        #expect(chat.state.step == .pqrType)
        try await chat.pick("pqr_tipo:queja")
        // The story written where a topic button was expected: topic from the words, story kept.
        try await chat.say("El asesor de la oficina de Bello me trató muy mal y me hizo esperar dos horas.")
        #expect(chat.state.pqr?.causal == "P315")
        #expect(chat.state.pqr?.description?.contains("me hizo esperar dos horas") == true)
        #expect(chat.choiceIDs == ["pqr_sin_contrato"])
        try await chat.pick("pqr_sin_contrato")
        // Not asked for the story again: next comes the name.
        #expect(!chat.text.contains("Cuéntame en un solo mensaje"))
        #expect(chat.state.step == .pqrName)
    }
}

@Suite("Radicados and access codes")
struct RadicadoTests {
    @Test("Radicados read as people type them, and refuse what is not one")
    func parse() {
        #expect(Radicado(year: 2026, sequence: 42).text == "2026-0000042")
        #expect(Radicado(year: 2026, sequence: 12_345_678).text == "2026-12345678")
        for typed in ["2026-0000042", " 2026 42 ", "20260000042", "Radicado 2026-42", "2026/42"] {
            #expect(Radicado.parse(typed) == Radicado(year: 2026, sequence: 42), "\(typed)")
        }
        for bad in ["", "42", "abcd-0001", "2026-", "2026-0", "2026-00x1", "2026-1-2", "2026-1234567890"] {
            #expect(Radicado.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("Codes: six letters and digits without look-alikes, typed in any case")
    func codes() {
        #expect(CaseAccessCode.normalize("k7m-2qx") == "K7M2QX")
        #expect(CaseAccessCode.normalize("K7M2Q") == nil)
        #expect(CaseAccessCode.normalize("K7M2Q0") == nil)
        #expect(CaseAccessCode.normalize("K7M2QI") == nil)
        #expect(CaseAccessCode.alphabet.count == 32)
    }

    @Test("Anonymity, SSPD codes and articles per type")
    func types() {
        #expect(CaseType.allCases.filter(\.allowsAnonymous) == [.peticion, .queja, .sugerencia, .consulta])
        #expect(CaseType.reclamo.sspdTramite == "1" && CaseType.queja.sspdTramite == "2" && CaseType.sugerencia.sspdTramite == nil)
        #expect(CaseType.reclamo.withArticle == "un reclamo" && CaseType.queja.withArticle == "una queja")
        #expect(CaseCatalog.causal("F102")?.title == "Inconformidad con la medición del consumo facturado")
        #expect(Set(CaseCatalog.causales.map(\.key)).count == CaseCatalog.causales.count)
    }
}
