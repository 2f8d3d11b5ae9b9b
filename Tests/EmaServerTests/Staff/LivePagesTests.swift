import EmaCore
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import EmaServer

@Suite("Live staff pages: a change is pushed to the page, not polled")
struct LivePagesTests {
    /// Opens the page's change socket; the texts it receives go to `received`. Returns once the
    /// server says it listens («en vivo»).
    func listen(port: Int, topic: String, cookie: String, into received: NIOLockedValueBox<[String]>) async throws -> WebSocket {
        let query = topic.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? topic
        let socket: WebSocket = try await withCheckedThrowingContinuation { continuation in
            WebSocket.connect(to: "ws://127.0.0.1:\(port)/backoffice/cambios?tema=\(query)", headers: ["Cookie": "ema_staff=\(cookie)"],
                              on: MultiThreadedEventLoopGroup.singleton) { ws in
                ws.onText { _, text in received.withLockedValue { $0.append(text) } }
                continuation.resume(returning: ws)
            }.whenFailure { continuation.resume(throwing: $0) }
        }
        try await waitFor(1, in: received)
        #expect(received.withLockedValue { $0 } == ["en vivo"])
        return socket
    }

    func waitFor(_ count: Int, in received: NIOLockedValueBox<[String]>) async throws {
        for _ in 0..<200 where received.withLockedValue({ $0.count }) < count { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test("An office's screen hears of its turns booked and called, not of another office's; the inbox hears of a chat asked for")
    func changesArrive() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            let cookie = try #require(agent.cookie)
            let service = app.turnService()
            let day = try #require(service.days.first).description
            let other = try #require(service.offices.first { $0 != "Oficina Bello" })
            try await withRunningServer(app) { port in
                let screen = NIOLockedValueBox<[String]>([]), inbox = NIOLockedValueBox<[String]>([])
                let screenSocket = try await listen(port: port, topic: "turnos:Oficina Bello", cookie: cookie, into: screen)
                let inboxSocket = try await listen(port: port, topic: "chats", cookie: cookie, into: inbox)

                _ = try await service.book(office: other, day: day, slot: "09:00", phone: nil)
                _ = try await service.book(office: "Oficina Bello", day: day, slot: "09:00", phone: nil)
                try await waitFor(2, in: screen)
                #expect(screen.withLockedValue { $0 } == ["en vivo", "cambio"])

                let chat = try await app.liveChatService().request(AgentRequest(conversationID: "web:prueba-en-vivo", channel: .web, phone: nil, transcript: [], message: nil))
                try await waitFor(2, in: inbox)
                #expect(inbox.withLockedValue { $0 } == ["en vivo", "cambio"])
                #expect(!chat.chat.isEmpty)
                // Only the other office and the chat changed since: the screen heard nothing more.
                try await Task.sleep(for: .milliseconds(300))
                #expect(screen.withLockedValue { $0 }.count == 2)
                try await screenSocket.close()
                try await inboxSocket.close()
            }
        }
    }

    @Test("The change socket needs a signed-in agent, a topic a page follows, and a page of Ema's own site")
    func refused() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let agent = try OfficeBrowser(app)
            let anonymous = try await agent.get("backoffice/cambios?tema=chats")
            #expect(anonymous.status == .seeOther && anonymous.location.hasPrefix("/backoffice/ingresar"))
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            let cookie = try #require(agent.cookie)
            try await withRunningServer(app) { port in
                func upgrade(_ topic: String, origin: String) async throws -> String {
                    try await webSocketUpgrade(port: port, "/backoffice/cambios?tema=\(topic)", origin: origin, cookie: cookie)
                }
                let own = "http://127.0.0.1:\(port)"
                let inbox = try await upgrade("chats", origin: own)
                let screen = try await upgrade("turnos%3AOficina%20Bello", origin: own)
                let unknownOffice = try await upgrade("turnos%3AOficina%20Inventada", origin: own)
                let unknownTopic = try await upgrade("pqr", origin: own)
                let foreign = try await upgrade("chats", origin: "https://malo.example")
                #expect(inbox.hasPrefix("HTTP/1.1 101") && screen.hasPrefix("HTTP/1.1 101"))
                #expect(!unknownOffice.contains("101") && !unknownTopic.contains("101") && !foreign.contains("101"))
            }
        }
    }
}
