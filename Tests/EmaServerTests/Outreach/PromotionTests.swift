@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Promotions: only to the numbers that authorized them, withdrawn at once, 7:00–20:00")
struct PromotionTests {
    func answer(_ app: Application, _ phone: String, _ granted: Bool, minutesAgo: Double) async throws {
        try await ConsentRecord.record(ConsentEvidence(
            kind: .promotions, granted: granted, version: "2026-12", textHash: "abc", channel: .whatsapp,
            conversationID: "conv-\(phone)", phone: phone, at: app.clock.now().addingTimeInterval(-minutesAgo * 60)
        ), on: app.db)
    }

    func statuses(_ app: Application) async throws -> [String] {
        try await app.db.sql.raw("SELECT status FROM promotion_messages ORDER BY status").all().map { try $0.decode(column: "status", as: String.self) }
    }

    func sent(_ app: Application) async throws -> [SandboxMessage] {
        try await drainJobs(app)
        return try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").all().filter { $0.body.contains("novedades") }
    }

    func withApp(at date: Date, _ body: (Application, AppClock.Manual) async throws -> Void) async throws {
        let manual = AppClock.Manual(date)
        try await withEmaApp(clock: manual.clock, configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            try await app.staffService().loadDemoAccounts()
            try await body(app, manual)
        }
    }

    @Test("The latest answer decides: yes goes, a withdrawal before the campaign or before the message leaves does not")
    func onlyWithAuthorization() async throws {
        try await withApp(at: bogota(10, 0, on: "2026-12-09")) { app, _ in
            try await answer(app, "+573001110001", true, minutesAgo: 60)
            try await answer(app, "+573001110002", true, minutesAgo: 60)
            try await answer(app, "+573001110002", false, minutesAgo: 30)
            try await answer(app, "+573001110003", false, minutesAgo: 30)
            try await answer(app, "+573001110004", true, minutesAgo: 10)
            // The bill's consent is not a promotions answer.
            try await ConsentRecord.record(ConsentEvidence(kind: .privacy, granted: true, version: "2026-12", textHash: "x", channel: .whatsapp,
                                                           conversationID: "c5", phone: "+573001110005", at: app.clock.now()), on: app.db)
            let created = try await app.promotionService().create(text: "Este diciembre revisa tus instalaciones de gas con nuestros técnicos certificados.", by: "supervisor@ema.demo")
            #expect(created.audience == 2)
            // 004 withdraws after the campaign was queued, before its message leaves.
            try await answer(app, "+573001110004", false, minutesAgo: 0)
            let messages = try await sent(app)
            #expect(messages.map(\.recipient) == ["+573001110001"])
            #expect(messages.first?.body.contains("revisa tus instalaciones de gas") == true && messages.first?.body.contains("promocion:") == true)
            #expect(try await statuses(app) == ["sent", "skipped"])
            #expect(try await app.promotionService().run() == 0, "nothing goes twice")
        }
    }

    @Test("Outside 7:00–20:00 a campaign waits; the next morning it leaves")
    func window() async throws {
        try await withApp(at: bogota(21, 0, on: "2026-12-09")) { app, manual in
            try await answer(app, "+573001110001", true, minutesAgo: 60)
            _ = try await app.promotionService().create(text: "Novedades de diciembre: nuevos puntos de pago cerca de ti.", by: "supervisor@ema.demo")
            #expect(try await sent(app).isEmpty)
            #expect(try await statuses(app) == ["waiting"])
            manual.advance(by: 11 * 3_600)
            #expect(try await app.promotionService().run() == 1)
            #expect(try await sent(app).count == 1)
        }
    }

    @Test("The back office: supervisors create campaigns, bad text and an empty audience are refused, agents may not enter")
    func backOffice() async throws {
        try await withApp(at: bogota(10, 0, on: "2026-12-09")) { app, _ in
            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            var page = try await supervisor.get("backoffice/promociones")
            #expect(page.body.contains("id=\"audiencia\">0<"))
            let empty = try await supervisor.post("backoffice/promociones", ["csrf": supervisor.csrf, "texto": "Nuevos puntos de pago en tu barrio desde diciembre."])
            #expect(empty.status == .conflict && empty.body.contains("Nadie ha autorizado todavía"))
            try await answer(app, "+573001110001", true, minutesAgo: 5)
            let short = try await supervisor.post("backoffice/promociones", ["csrf": supervisor.csrf, "texto": "Hola"])
            #expect(short.status == .badRequest && short.body.contains("entre 20 y 600 caracteres"))
            #expect(try await supervisor.get("backoffice/promociones").body.contains("id=\"audiencia\">1<"))
            let made = try await supervisor.post("backoffice/promociones", ["csrf": supervisor.csrf, "texto": "Nuevos puntos de pago en tu barrio desde diciembre."])
            #expect(made.status == .seeOther || made.status == .found)
            page = try await supervisor.get("backoffice/promociones?aviso=creada")
            #expect(page.body.contains("Campaña creada") && page.body.contains("Nuevos puntos de pago en tu barrio"))
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice/promociones").status == .forbidden)
        }
    }

    @Test("Through Ema's web chat: the number is verified, and the yes goes to the ledger")
    func throughEma() async throws {
        try await withEmaApp { app in
            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.pick("consentimiento_si")
            try await chat.say("quiero recibir promociones")
            try await chat.verify("300 555 0123")
            #expect(chat.text.contains("pregunta aparte y opcional") && chat.text.contains("/legal/promociones"))
            try await chat.pick("promociones_si")
            #expect(try await ConsentLedger(database: app.db).promotionsGranted(phone: "+573005550123"))
            try await chat.say("no quiero promociones")
            #expect(chat.text.contains("No te enviaremos más promociones"))
            #expect(try await ConsentLedger(database: app.db).promotionsGranted(phone: "+573005550123") == false)
        }
    }
}
