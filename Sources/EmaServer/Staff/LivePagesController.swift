import Foundation
import Vapor

/// The staff's live pages (the chats inbox, an office's turns) change while they are open: a
/// customer on any node asks for an advisor, books or cancels a turn. Each such page opens a
/// WebSocket on `/backoffice/cambios?tema=…` that says «cambio» when its topic is signalled
/// (`ChangeSignals`: PostgreSQL `NOTIFY` between nodes), and the page reads itself again
/// (`Public/js/live-page.js`). No polling: between changes the socket is quiet but for its pings;
/// after 10 minutes it closes and the page opens another.
struct LivePagesController: RouteCollection {
    static let lifetime: Duration = .seconds(600)

    func boot(routes: any RoutesBuilder) throws {
        // A page of another site must not open it with an agent's cookie.
        routes.grouped("backoffice", "cambios").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
            .webSocket(shouldUpgrade: { request in
                request.comesFromThisSite && Self.topic(of: request) != nil ? [:] : nil
            }, onUpgrade: feed)
    }

    /// The topic a page asked for, if it is one a page may follow: the chats inbox, or one
    /// office's turns.
    static func topic(of request: Request) -> String? {
        guard let topic = try? request.query.get(String.self, at: "tema") else { return nil }
        let offices = request.application.turnService().offices
        return topic == LiveChatService.inboxTopic || offices.map(TurnService.topic).contains(topic) ? topic : nil
    }

    @Sendable
    func feed(request: Request, socket: WebSocket) async {
        guard let topic = Self.topic(of: request) else {
            try? await socket.close(code: .policyViolation)
            return
        }
        socket.pingInterval = .seconds(25)
        let subscription = request.application.changeSignals.subscribe(topic)
        // From here on no change is missed: the page (and a test) may rely on it.
        try? await socket.send("en vivo")
        let deadline = ContinuousClock.now + Self.lifetime
        while !socket.isClosed, ContinuousClock.now < deadline {
            // A quiet wait ends every safety interval, only to look at the socket and the clock.
            guard await subscription.next() else { continue }
            do {
                try await socket.send("cambio")
            } catch {
                break
            }
        }
        if !socket.isClosed { try? await socket.close(code: .goingAway) }
    }
}
