@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The administrators' side of the holders' requests, and how a web request reaches WhatsApp.
extension DataRightsTests {
    @Test("The administrators' desk: a correction is marked «reclamo en trámite», extended once, answered by SMS; the consent ledger of a number; other roles are refused")
    func desk() async throws {
        let clock = AppClock.Manual(bogotaNoon("2026-12-02"))
        try await withEmaApp(clock: clock.clock) { app in
            try await app.staffService().loadDemoAccounts()
            var (chat, _, _) = try await holderWithHistory(app)
            try await chat.say("actualizar mis datos")
            try await chat.pick("datos_actualizar")
            try await chat.pick("datos_otro")
            try await chat.say("Mi cédula quedó mal escrita en la PQR, es 43.123.456")
            let claim = try #require(try await DataRequest.query(on: app.db).first())

            let admin = try OfficeBrowser(app)
            try await admin.signIn("admin@ema.demo", "admin-demo-2026")
            let list = try await admin.get("backoffice/datos")
            #expect(list.status == .ok && list.body.contains(claim.code) && list.body.contains("marcar en trámite antes del 4 de diciembre de 2026"))
            let ledger = try await admin.get("backoffice/datos?telefono=300%20123%204567")
            #expect(ledger.body.contains("Autorización de tratamiento de datos: aceptada") && ledger.body.contains("Términos y condiciones: aceptada"))
            _ = try await admin.get("backoffice/datos/\(claim.code)")
            let marked = try await admin.post("backoffice/datos/\(claim.code)/tramite", ["csrf": admin.csrf])
            #expect(marked.body.contains("Marcado «reclamo en trámite»") && !marked.body.contains("/tramite\""))
            let extended = try await admin.post("backoffice/datos/\(claim.code)/prorroga", ["csrf": admin.csrf, "motivo": "Debemos revisar el expediente físico de la PQR."])
            #expect(extended.body.contains("Término prorrogado") && extended.body.contains("7 de enero de 2027"))
            let twice = try await admin.post("backoffice/datos/\(claim.code)/prorroga", ["csrf": admin.csrf, "motivo": "Otra vez necesitamos tiempo."])
            #expect(twice.status == .badRequest && twice.body.contains("ya se prorrogó una vez"))
            let short = try await admin.post("backoffice/datos/\(claim.code)/responder", ["csrf": admin.csrf, "texto": "Listo"])
            #expect(short.status == .badRequest)
            let answered = try await admin.post("backoffice/datos/\(claim.code)/responder", ["csrf": admin.csrf, "texto": "Corregimos tu número de cédula en la PQR; ya aparece 43.123.456."])
            #expect(answered.body.contains("Respuesta enviada") && answered.body.contains("Respondida"))
            // Texts leave through the SMS outbox's job.
            try await drainJobs(app)
            let sms = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").filter(\.$recipient == Self.phone).all()
            #expect(sms.contains { $0.body.contains(claim.code) && $0.body.contains("Corregimos tu número de cédula") })
            let stored = try #require(try await DataRequest.find(claim.id, on: app.db))
            let adminName = try await StaffAccount.query(on: app.db).filter(\.$email == "admin@ema.demo").first()?.name
            #expect(stored.status == .answered && stored.inProcessAt != nil && stored.extendedDueOn == "2027-01-07" && stored.answeredBy == adminName)
            #expect(try await admin.post("backoffice/datos/\(claim.code)/responder", ["csrf": admin.csrf, "texto": "Una segunda respuesta que no debe salir."]).status == .badRequest)

            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice/datos").status == .forbidden)
            #expect(try await OfficeBrowser(app).get("backoffice/datos").status == .seeOther)
        }
    }

    @Test("A revocation on the web makes the number's WhatsApp conversation ask for the authorization again")
    func revokeReachesWhatsApp() async throws {
        try await withEmaApp { app in
            var state = ConversationState(id: "wa:" + Self.phone, channel: .whatsapp, now: Date())
            state.privacyVersion = app.legalDocuments.privacy.version
            state.termsVersion = app.legalDocuments.terms.version
            state.senderPhone = Self.phone
            state.step = .mainMenu
            state.transcript = [.init(who: "cliente", text: "hola")]
            let row = Conversation()
            row.id = state.id
            row.channel = "whatsapp"
            row.state = try ChatService.encode(state)
            row.version = 1
            row.createdAt = Date()
            row.updatedAt = Date()
            try await row.create(on: app.db)
            _ = try await app.dataRightsService().exercise(DataRightRequest(action: .revoke, phone: Self.phone, channel: .web, conversationID: "datos-personales"))
            let saved = try #require(try await Conversation.find(state.id, on: app.db))
            let after = try JSONDecoder().decode(ConversationState.self, from: Data(saved.state.utf8))
            #expect(after.privacyVersion == nil && after.step == .consent && after.transcript.isEmpty && after.senderPhone == Self.phone && saved.version == 2)
        }
    }

    @Test("The desk: no extension once the term is over; an answer to a holder who has no number left is kept and the staff are told")
    func deskEdges() async throws {
        let clock = AppClock.Manual(bogotaNoon("2026-12-02"))
        try await withEmaApp(clock: clock.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let service = app.dataRightsService()
            let late = try await service.exercise(DataRightRequest(action: .correct("Mi nombre está mal escrito en la factura."), phone: Self.phone, channel: .web, conversationID: "x"))
            let orphan = try await service.exercise(DataRightRequest(action: .correct("Mi correo quedó mal en la PQR que radiqué."), phone: "+573109876543", channel: .whatsapp, conversationID: "y"))
            _ = try await service.exercise(DataRightRequest(action: .suppress, phone: "+573109876543", channel: .web, conversationID: "z"))
            let admin = try OfficeBrowser(app)
            try await admin.signIn("admin@ema.demo", "admin-demo-2026")
            _ = try await admin.get("backoffice/datos/\(orphan.code)")
            let answered = try await admin.post("backoffice/datos/\(orphan.code)/responder", ["csrf": admin.csrf, "texto": "Corregimos el correo de tu PQR como nos pediste."])
            #expect(answered.body.contains("no pudimos avisarle") && answered.body.contains("Respondida"))
            clock.advance(by: 30 * 86_400)
            try await admin.signIn("admin@ema.demo", "admin-demo-2026")
            _ = try await admin.get("backoffice/datos/\(late.code)")
            let refused = try await admin.post("backoffice/datos/\(late.code)/prorroga", ["csrf": admin.csrf, "motivo": "Necesitamos revisar el expediente."])
            #expect(refused.status == .badRequest && refused.body.contains("El término ya venció"))
            #expect(try await admin.get("backoffice/datos").body.contains("vencida"))
        }
    }

    @Test("A suppression from the web waits for a WhatsApp turn of the same number to finish")
    func suppressionTakesTheTurnLock() async throws {
        try await withEmaApp { app in
            let sql = app.db.sql
            // A WhatsApp turn in course holds the number.
            try await sql.raw("INSERT INTO whatsapp_senders (sender, last_inbound_at, locked_until, locked_by) VALUES (\(bind: Self.phone), \(bind: Date()), \(bind: Date().addingTimeInterval(60)), 'turno')").run()
            let effects = app.assistantEffects(client: nil)
            let suppression = Task { try await effects.exerciseDataRight(DataRightRequest(action: .suppress, phone: Self.phone, channel: .web, conversationID: "datos-personales")) }
            try await Task.sleep(for: .milliseconds(600))
            let during = try await DataRequest.query(on: app.db).count()
            #expect(during == 0)
            try await sql.raw("UPDATE whatsapp_senders SET locked_until = NULL WHERE sender = \(bind: Self.phone)").run()
            let receipt = try await suppression.value
            let after = try await DataRequest.query(on: app.db).count()
            #expect(receipt.code.hasPrefix("HD-") && after == 1)
        }
    }
}
