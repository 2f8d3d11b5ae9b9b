@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// 2 December 2026 at the given Bogotá hour.
func bogota(_ hour: Int, _ minute: Int = 0, on day: String = "2026-12-02") -> Date {
    Date(timeIntervalSince1970: Double(CivilDate(day)!.dayNumber) * 86_400 + Double((hour + 5) * 3_600 + minute * 60))
}

func staffContext(_ app: Application, _ email: String) async throws -> StaffContext {
    let account = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == email).first())
    return StaffContext(accountID: try account.requireID(), email: account.email, name: account.name, role: try #require(StaffAccount.Role(rawValue: account.role)), csrfToken: "", sessionID: UUID())
}

@Suite("Live chat with an advisor: hand-off, the inbox, replies, closing back to Ema, the rating")
struct LiveChatTests {
    struct Answer: Decodable {
        struct Live: Decodable { let url: String }
        let replies: [Reply]
        let live: Live?
    }

    func post(_ app: Application, _ session: String, _ body: [String: String]) async throws -> Answer {
        var answer: Answer?
        try await app.testing().test(.POST, "api/v1/chat/sessions/\(session)/messages", beforeRequest: { try $0.content.encode(body) }) { response in
            #expect(response.status == .ok)
            answer = try response.content.decode(Answer.self)
        }
        return try #require(answer)
    }

    func startWeb(_ app: Application) async throws -> String {
        let (id, _) = try await app.chatService().start(channel: .web)
        _ = try await post(app, id, ["choice": "consentimiento_si"])
        return id
    }

    @Test("Web: Ema hands off with the history; one of two agents takes it; replies reach the widget's feed; closing returns to Ema and the rating is stored")
    func web() async throws {
        let manual = AppClock.Manual(bogota(10))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let session = try await startWeb(app)
            _ = try await post(app, session, ["text": "mi factura llegó muy alta"])
            let handed = try await post(app, session, ["text": "quiero hablar con un asesor"])
            #expect(handed.live?.url == "/api/v1/chat/sessions/\(session)/live")
            #expect(handed.replies.contains { if case .text(let text) = $0 { text.contains("Eres el siguiente en la fila") } else { false } })
            let chat = try #require(try await LiveChat.query(on: app.db).first())
            #expect(chat.status == "en_espera" && chat.channel == "web" && chat.conversationID == session && chat.requestedOn == "2026-12-02")
            let service = app.liveChatService()
            let history = try await service.messages(of: chat).map(\.text)
            #expect(history.contains("mi factura llegó muy alta") && history.contains("quiero hablar con un asesor"))

            // A second customer queues behind.
            manual.advance(by: 1)
            let other = try await startWeb(app)
            let second = try await post(app, other, ["choice": "menu_asesor"])
            #expect(second.replies.contains { if case .text(let text) = $0 { text.contains("Hay 1 persona antes que tú") } else { false } })
            let waiting = try await post(app, session, ["text": "¿alguien me atiende?"])
            #expect(waiting.live != nil && waiting.replies.contains { if case .text(let text) = $0 { text.contains("Eres el siguiente") } else { false } })

            // Two agents take the same chat at once: exactly one wins.
            let andrea = try await staffContext(app, "agente@ema.demo")
            let sergio = try await staffContext(app, "supervisor@ema.demo")
            let id = try chat.requireID().uuidString
            func attempt(_ staff: StaffContext) async -> Result<LiveChat, any Error> {
                do { return .success(try await service.take(chat: id, by: staff)) } catch { return .failure(error) }
            }
            async let a = attempt(andrea)
            async let b = attempt(sergio)
            let outcomes = await [a, b]
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
            #expect(outcomes.contains { if case .failure(let error) = $0 { (error as? LiveChatError) == .alreadyTaken } else { false } })
            let taken = try #require(try await service.find(id))
            let winner = taken.takenBy == andrea.email ? andrea : sergio
            #expect(taken.status == "en_atencion" && taken.takenAt == bogota(10, 0).addingTimeInterval(1))

            // The agent's page, a reply through it, and the customer's feed.
            let browser = try OfficeBrowser(app)
            try await browser.signIn(winner.email, winner.email == andrea.email ? "agente-demo-2026" : "supervisor-demo-2026")
            let inbox = try await browser.get("backoffice/chats")
            #expect(inbox.status == .ok && inbox.body.contains("Mis conversaciones (1)") && inbox.body.contains("En espera (1)"))
            let page = try await browser.get("backoffice/chats/\(id)")
            #expect(page.body.contains("mi factura llegó muy alta") && page.body.contains("Respuestas listas") && page.body.contains("Cerrar y devolver a Ema"))
            manual.advance(by: 30)
            let sent = try await browser.post("backoffice/chats/\(id)/responder", ["csrf": browser.csrf, "texto": "Con gusto reviso tu factura."], headers: ["Accept": "application/json"])
            #expect(sent.status == .ok)
            let empty = try await browser.post("backoffice/chats/\(id)/responder", ["csrf": browser.csrf, "texto": "  "], headers: ["Accept": "application/json"])
            #expect(empty.status == .badRequest && empty.body.contains("empty_text"))
            let feed = LiveChatFeed(service: service)
            let frame = try await feed.customerFrame(chat: try #require(try await service.find(id)), after: 0)
            #expect(frame.live && frame.replies.contains(.text("\(winner.name): Con gusto reviso tu factura.")))
            #expect(frame.replies.first == .text("\(winner.name): 👋 Hola, soy \(winner.name), del equipo de atención al cliente. Ya leí lo que conversaste con Ema; cuéntame, ¿en qué te ayudo?"))
            #expect(try await service.find(id)?.firstReplyAt == bogota(10).addingTimeInterval(31))
            let later = try await feed.customerFrame(chat: try #require(try await service.find(id)), after: frame.cursor)
            #expect(later.replies.isEmpty && later.cursor == frame.cursor)

            // The customer writes; the agent's feed brings it.
            _ = try await post(app, session, ["text": "Gracias, es el contrato 10234567"])
            let agentFrame = try await feed.agentFrame(chat: try #require(try await service.find(id)), after: frame.cursor)
            #expect(agentFrame.lines.map(\.text) == ["Gracias, es el contrato 10234567"] && agentFrame.lines[0].author == "cliente")

            // Closing: back to Ema, the rating question in the feed, then the rating.
            let closed = try await browser.post("backoffice/chats/\(id)/cerrar", ["csrf": browser.csrf, "resuelto": "si"])
            #expect(closed.status == .ok && closed.body.contains("Conversación cerrada"))
            let last = try await feed.customerFrame(chat: try #require(try await service.find(id)), after: agentFrame.cursor)
            #expect(!last.live && last.replies.contains { if case .choices(let text, let choices) = $0 { text.contains("¿Cómo calificarías") && choices.count == 5 } else { false } })
            let afterClose = try await post(app, session, ["choice": "calificacion:5"])
            #expect(afterClose.live == nil)
            _ = try await post(app, session, ["text": "Muy amable la asesora"])
            let survey = try #require(try await SurveyResponse.query(on: app.db).first())
            #expect(survey.kind == "chat" && survey.subject == id && survey.channel == "web" && survey.score == 5 && survey.comment == "Muy amable la asesora")
            let rated = try #require(try await service.find(id))
            #expect(rated.status == "cerrado" && rated.resolved == true && rated.rating == 5)
            // A second rating of the same chat counts nothing.
            #expect(try await service.rate(chat: id, score: 1, comment: nil) == false)
            // Back with Ema.
            let ema = try await post(app, session, ["text": "quiero pedir un turno"])
            #expect(ema.replies.contains { if case .choices(let text, _) = $0 { text.contains("pedir un turno") } else { false } })
        }
    }

    @Test("WhatsApp: the agent's words go out through the Cloud API outbox; the customer's reach the agent; the rating comes back on WhatsApp")
    func whatsApp() async throws {
        let manual = AppClock.Manual(bogota(11))
        try await WhatsAppWebhookTests().withWhatsApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let hooks = WhatsAppWebhookTests()
            for step in [Webhook.text("hola"), Webhook.button("consentimiento_si"), Webhook.text("necesito hablar con un asesor")] {
                #expect(try await hooks.post(app, step) == .ok)
                try await drainJobs(app)
            }
            let chat = try #require(try await LiveChat.query(on: app.db).first())
            #expect(chat.channel == "whatsapp" && chat.phone == "+573001234567" && chat.conversationID == "wa:+573001234567")
            let service = app.liveChatService()
            let agent = try await staffContext(app, "agente@ema.demo")
            let id = try chat.requireID().uuidString
            _ = try await service.take(chat: id, by: agent)
            try await service.agentMessage(chat: id, text: "Cuéntame el número de contrato, por favor.", by: agent)
            try await drainJobs(app)
            #expect(try await hooks.sandbox(app).contains { $0.contains("Andrea Agente: Cuéntame el número de contrato, por favor.") })
            let before = try await hooks.sandbox(app)
            #expect(try await hooks.post(app, Webhook.text("Es el 10234567")) == .ok)
            try await drainJobs(app)
            #expect(try await service.messages(of: chat).last?.text == "Es el 10234567")
            // Ema stayed quiet: nothing new went out after the customer's message. (Counted, not
            // read from the end: the frozen clock gives the messages one time, any order.)
            #expect(try await hooks.sandbox(app).count == before.count)

            try await service.close(chat: id, resolved: false, by: agent)
            try await drainJobs(app)
            let closing = try await hooks.sandbox(app)
            #expect(closing.count > before.count && closing.contains { $0.contains("¿Cómo calificarías la atención") })
            for step in [Webhook.text("4"), Webhook.text("Rápido")] {
                #expect(try await hooks.post(app, step) == .ok)
                try await drainJobs(app)
            }
            let survey = try #require(try await SurveyResponse.query(on: app.db).first())
            #expect(survey.channel == "whatsapp" && survey.score == 4 && survey.comment == "Rápido")
            #expect(try await service.find(id)?.resolved == false)
        }
    }

    @Test("Out of hours a message is left; an agent answers it by SMS; staff roles and ownership are checked")
    func outOfHours() async throws {
        let manual = AppClock.Manual(bogota(21))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let session = try await startWeb(app)
            let offered = try await post(app, session, ["text": "quiero hablar con un asesor"])
            #expect(offered.live == nil && offered.replies.contains { if case .choices(let text, _) = $0 { text.contains("no hay nadie en línea") } else { false } })
            #expect(try await LiveChat.query(on: app.db).count() == 0)
            _ = try await post(app, session, ["choice": "asesor_mensaje"])
            _ = try await post(app, session, ["text": "¿Por qué me cobraron una reconexión?"])
            _ = try await post(app, session, ["text": "300 765 4321"])
            let chat = try #require(try await LiveChat.query(on: app.db).first())
            #expect(chat.status == "mensaje" && chat.phone == "+573007654321")

            let service = app.liveChatService()
            let id = try chat.requireID().uuidString
            let agent = try await staffContext(app, "agente@ema.demo")
            let supervisor = try await staffContext(app, "supervisor@ema.demo")
            _ = try await service.take(chat: id, by: agent)
            await #expect(throws: LiveChatError.alreadyTaken) { _ = try await service.take(chat: id, by: supervisor) }
            manual.advance(by: 11 * 3_600)
            try await service.agentMessage(chat: id, text: "La reconexión se cobra cuando el servicio estuvo suspendido.", by: agent)
            // Texts leave through the SMS outbox's job.
            try await drainJobs(app)
            let sms = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").all()
            #expect(sms.contains { $0.recipient == "+573007654321" && $0.body.contains("La reconexión se cobra") })
            try await service.close(chat: id, resolved: true, by: agent)
            #expect(try await service.find(id)?.closedAt != nil)
            await #expect(throws: LiveChatError.closed) { try await service.agentMessage(chat: id, text: "otra", by: agent) }

            let officer = try OfficeBrowser(app)
            #expect(try await officer.get("backoffice/chats").status == .seeOther)
            try await officer.signIn("transparencia@ema.demo", "transparencia-demo-2026")
            #expect(try await officer.get("backoffice/chats").status == .forbidden)
        }
    }

    @Test("An agent cannot write in a chat another agent attends; a supervisor can; a customer who leaves ends the wait")
    func ownership() async throws {
        let manual = AppClock.Manual(bogota(9))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let service = app.liveChatService()
            let first = try await startWeb(app)
            _ = try await post(app, first, ["choice": "menu_asesor"])
            let id = try #require(try await LiveChat.query(on: app.db).first()?.requireID().uuidString)
            let supervisor = try await staffContext(app, "supervisor@ema.demo")
            let agent = try await staffContext(app, "agente@ema.demo")
            _ = try await service.take(chat: id, by: supervisor)
            await #expect(throws: LiveChatError.notYours) { try await service.agentMessage(chat: id, text: "hola", by: agent) }
            let second = try await startWeb(app)
            _ = try await post(app, second, ["choice": "menu_asesor"])
            let other = try #require(try await LiveChat.query(on: app.db).filter(\.$conversationID == second).first())
            _ = try await service.take(chat: try other.requireID().uuidString, by: agent)
            try await service.agentMessage(chat: try other.requireID().uuidString, text: "Te ayudo", by: supervisor)

            // A third customer leaves the queue before anyone takes it.
            let third = try await startWeb(app)
            _ = try await post(app, third, ["choice": "menu_asesor"])
            let left = try await post(app, third, ["text": "cancelar"])
            #expect(left.live == nil)
            let abandoned = try #require(try await LiveChat.query(on: app.db).filter(\.$conversationID == third).first())
            #expect(abandoned.status == "abandonado" && abandoned.closedBy == "cliente")
            await #expect(throws: LiveChatError.closed) { _ = try await service.take(chat: try abandoned.requireID().uuidString, by: agent) }
        }
    }
}
