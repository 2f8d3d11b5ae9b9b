import EmaCore
import Foundation
import Vapor

/// The web chat API of interfaces.md, used by the widget, `/chat` and the kiosk.
struct ChatController: RouteCollection {
    static let maxTextLength = 1_000
    /// Messages per conversation: 60 a minute, counted in the conversation's row.
    static let messagesPerSession = RateLimit("chat.mensajes.sesion", limit: 60, window: 60)

    /// New conversations per client address every 10 minutes (`EMA_CHAT_SESSIONS_PER_CLIENT`):
    /// a new session must not reset the limits that count per conversation.
    static func sessionsPerClient(_ config: AppConfig) -> RateLimit {
        RateLimit("chat.sesiones.cliente", limit: config.chatSessionsPerClient, window: 600)
    }

    func boot(routes: any RoutesBuilder) throws {
        let chat = routes.grouped("chat", "sessions")
        chat.post(use: start)
        chat.post(":id", "messages", use: message)
    }

    struct StartRequest: Content {
        var channel: String?
    }

    struct StartResponse: Content {
        let sessionId: String
        let replies: [Reply]
    }

    struct MessageRequest: Content {
        var text: String?
        var choice: String?
        /// Optional, chosen by the client (up to 64 characters): sending the same message again
        /// with the same id (after a timeout) returns the first answer instead of a second turn.
        var messageId: String?
    }

    struct MessageResponse: Content {
        let replies: [Reply]
        /// Present while an advisor has the conversation: the WebSocket that brings the
        /// advisor's words (`{"replies": [Reply], "cursor": n, "live": bool}` frames).
        var live: Live?

        struct Live: Content { let url: String }
    }

    /// `POST /api/v1/chat/sessions` with `{}` or `{"channel": "web"|"kiosk"}` →
    /// 201 `{"sessionId": "…", "replies": [Reply]}`.
    @Sendable
    func start(request: Request) async throws -> Response {
        let body = (try? request.content.decode(StartRequest.self)) ?? StartRequest()
        let channel: EmaCore.Channel
        switch body.channel ?? "web" {
        case "web": channel = .web
        case "kiosk": channel = .kiosk
        case let other: throw AssistantError.invalidChannel(other)
        }
        // One statement counts and checks (a refused attempt counts too, until its window ends).
        try await request.rateLimits.enforce(Self.sessionsPerClient(request.application.emaConfig), request.clientAddress)
        let (id, replies) = try await request.application.chatService().start(channel: channel)
        let response = Response(status: .created)
        try response.content.encode(StartResponse(sessionId: id, replies: replies))
        return response
    }

    /// `POST /api/v1/chat/sessions/{id}/messages` with `{"text": "…"}` or `{"choice": "<id>"}`
    /// (and optionally `"messageId"`, see `MessageRequest`) →
    /// 200 `{"replies": [Reply]}` (plus `"live": {"url": …}` while an advisor has it); 404
    /// `session_not_found`.
    @Sendable
    func message(request: Request) async throws -> MessageResponse {
        let id = request.parameters.get("id") ?? ""
        let body = try request.content.decode(MessageRequest.self)
        let text = body.text?.trimmingCharacters(in: .whitespacesAndNewlines)
        let choice = body.choice?.trimmingCharacters(in: .whitespaces)
        guard !(text ?? "").isEmpty || !(choice ?? "").isEmpty else { throw AssistantError.emptyMessage }
        if (text?.count ?? 0) > Self.maxTextLength || (choice?.count ?? 0) > 100 {
            throw AssistantError.messageTooLong(limit: Self.maxTextLength)
        }
        let messageID = body.messageId?.trimmingCharacters(in: .whitespaces)
        if let messageID, messageID.isEmpty || messageID.count > 64 { throw AssistantError.invalidMessageID }
        let message = (choice ?? "").isEmpty ? InboundMessage(text: text) : InboundMessage(choice: choice)
        let (replies, state) = try await request.application.chatService()
            .turn(message, in: id, client: request.clientAddress, limit: Self.messagesPerSession, messageID: messageID)
        return MessageResponse(replies: replies, live: state.liveChat == nil ? nil : .init(url: "/api/v1/chat/sessions/\(id)/live"))
    }
}
