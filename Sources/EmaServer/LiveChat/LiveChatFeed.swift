import EmaCore
import Fluent
import Foundation
import Vapor

/// What the live feeds push over a WebSocket: the new lines of a chat since a cursor, read from
/// the database when the chat's signal says something changed (on any node: PostgreSQL's
/// `LISTEN/NOTIFY`), so any number of nodes serve the same chat in real time.
struct LiveChatFeed {
    let service: LiveChatService

    /// For the customer's widget: the advisor's new words as `Reply` values, and `live: false`
    /// (with the rating question when the advisor closed it) once the chat is over.
    struct CustomerFrame: Content, Equatable {
        var replies: [Reply]
        var cursor: Int
        var live: Bool
    }

    func customerFrame(chat: LiveChat, after cursor: Int) async throws -> CustomerFrame {
        let lines = try await service.messages(of: chat, after: cursor)
        var frame = CustomerFrame(replies: [], cursor: lines.last?.id ?? cursor, live: true)
        for line in lines where line.author == "asesor" {
            frame.replies.append(.text("\(line.name ?? "Asesor"): \(line.text)"))
        }
        switch chat.statusValue {
        case .waiting, .active:
            break
        case .closed where chat.closedBy != "cliente":
            frame.replies += LiveChatService.closingReplies(agent: chat.takenName ?? "El asesor")
            frame.live = false
        default:
            frame.live = false
        }
        return frame
    }

    /// For the advisor's page: every new line, and the chat's status.
    struct AgentFrame: Content, Equatable {
        struct Line: Content, Equatable {
            let id: Int
            let author: String
            let name: String?
            let text: String
            /// `10:42 a. m.`, Bogotá
            let time: String
        }

        var lines: [Line]
        var cursor: Int
        var status: String
    }

    func agentFrame(chat: LiveChat, after cursor: Int) async throws -> AgentFrame {
        let lines = try await service.messages(of: chat, after: cursor)
        return AgentFrame(
            lines: lines.map { AgentFrame.Line(id: $0.id ?? 0, author: $0.author, name: $0.name, text: $0.text, time: Self.time($0.at)) },
            cursor: lines.last?.id ?? cursor, status: chat.status
        )
    }

    static func time(_ date: Date) -> String { SpanishDateTime.time(date) }

    /// Pushes frames to a socket until the chat ends or the socket closes: a frame when the
    /// chat's signal comes (`ChangeSignals`, from any node), and a read every safety interval.
    static func run<Frame: Content & Equatable>(
        _ socket: WebSocket, signals: ChangeSignals, topic: String, logger: Logger,
        next: @escaping @Sendable (Int) async throws -> (frame: Frame, cursor: Int, done: Bool)?, cursor start: Int
    ) async {
        socket.pingInterval = .seconds(25)
        // Subscribed before the first read: a line written meanwhile wakes the next wait.
        let subscription = signals.subscribe(topic)
        var cursor = start
        var first = true
        let encoder = JSONEncoder()
        while !socket.isClosed {
            do {
                guard let (frame, nextCursor, done) = try await next(cursor) else { break }
                if first || nextCursor != cursor || done {
                    try await socket.send(String(decoding: try encoder.encode(frame), as: UTF8.self))
                }
                first = false
                cursor = nextCursor
                if done { break }
                await subscription.next()
            } catch {
                logger.debug("Live chat feed stopped", metadata: ["error": .string(String(describing: error))])
                break
            }
        }
        if !socket.isClosed { try? await socket.close() }
    }
}
