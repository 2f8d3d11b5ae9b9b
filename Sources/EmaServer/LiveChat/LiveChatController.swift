import EmaCore
import Fluent
import Foundation
import Vapor

/// The advisors' inbox (`/backoffice/chats`), a chat's page with its live feed, and the
/// customer's live feed (`/api/v1/chat/sessions/{id}/live`, a WebSocket the widget opens when Ema
/// hands the conversation to an advisor).
struct LiveChatController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("api", "v1", "chat", "sessions").webSocket(":id", "live", shouldUpgrade: { request in request.mayOpenChatFeed ? [:] : nil },
                                                                   onUpgrade: customerFeed)
        let desk = routes.grouped("backoffice", "chats").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        desk.get(use: inbox)
        desk.get(":chat", use: show)
        // A page of another site must not open an advisor's feed with the advisor's cookie.
        desk.webSocket(":chat", "feed", shouldUpgrade: { request in request.comesFromThisSite ? [:] : nil }, onUpgrade: agentFeed)
        desk.post(":chat", "tomar", use: take)
        desk.post(":chat", "responder", use: reply)
        desk.post(":chat", "cerrar", use: close)
    }

    // MARK: The customer's feed

    @Sendable
    func customerFeed(request: Request, socket: WebSocket) async {
        let service = request.application.liveChatService()
        let session = request.parameters.get("id") ?? ""
        let cursor = (try? request.query.get(Int.self, at: "after")) ?? 0
        // The session id is the web conversation's secret; the chat must be this conversation's.
        guard session.count <= 64, let state = try? await request.application.chatService(database: request.db).state(of: session),
              let chatID = state.liveChat, let first = try? await service.find(chatID), first.conversationID == session, let chatUUID = first.id
        else {
            try? await socket.close(code: .policyViolation)
            return
        }
        let feed = LiveChatFeed(service: service)
        let topic = LiveChatService.topic(chatUUID)
        await LiveChatFeed.run(socket, signals: request.application.changeSignals, topic: topic, logger: request.logger,
                               next: { cursor -> (frame: LiveChatFeed.CustomerFrame, cursor: Int, done: Bool)? in
            guard let chat = try await service.find(chatID) else { return nil }
            let frame = try await feed.customerFrame(chat: chat, after: cursor)
            return (frame, frame.cursor, !frame.live)
        }, cursor: cursor)
    }

    // MARK: The inbox

    struct Row: Encodable {
        let id: String
        let channel: String
        let waited: String
        let preview: String
        let agent: String?
        let status: String
    }

    struct InboxPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let waiting: [Row]
        let mine: [Row]
        let messages: [Row]
        let others: [Row]
        let open: Bool
        let hours: String
        let message: String?
    }

    static func channelTitle(_ channel: String) -> String {
        switch channel {
        case "whatsapp": "WhatsApp"
        case "kiosk": "Kiosco"
        default: "Web"
        }
    }

    static func waited(since date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3_600 { return "\(seconds / 60) min" }
        return "\(seconds / 3_600) h \(seconds % 3_600 / 60) min"
    }

    func row(_ chat: LiveChat, now: Date, on db: any Database) async throws -> Row {
        let first = try await LiveChatMessage.query(on: db).filter(\.$chatID == chat.requireID()).filter(\.$author == "cliente").sort(\.$id, .descending).first()
        return Row(
            id: try chat.requireID().uuidString, channel: Self.channelTitle(chat.channel), waited: Self.waited(since: chat.requestedAt, now: now),
            preview: String((first?.text ?? "").prefix(120)), agent: chat.takenName, status: chat.status
        )
    }

    @Sendable
    func inbox(request: Request) async throws -> View {
        try await renderInbox(request, message: nil)
    }

    func renderInbox(_ request: Request, message: String?) async throws -> View {
        let staff = try request.requireStaff()
        let now = request.application.clock.now()
        let db = request.db
        func rows(_ query: QueryBuilder<LiveChat>) async throws -> [Row] {
            var result: [Row] = []
            for chat in try await query.limit(100).all() { result.append(try await row(chat, now: now, on: db)) }
            return result
        }
        let waiting = try await rows(LiveChat.query(on: db).filter(\.$status == LiveChat.Status.waiting.rawValue).sort(\.$requestedAt).sort(\.$id))
        let mine = try await rows(LiveChat.query(on: db).filter(\.$status == LiveChat.Status.active.rawValue).filter(\.$takenBy == staff.email).sort(\.$requestedAt))
        let messages = try await rows(LiveChat.query(on: db).filter(\.$status == LiveChat.Status.message.rawValue).filter(\.$closedAt == nil).sort(\.$requestedAt))
        let supervises = staff.role == .supervisor || staff.role == .administrador
        let others = supervises ? try await rows(LiveChat.query(on: db).filter(\.$status == LiveChat.Status.active.rawValue).filter(\.$takenBy != staff.email).sort(\.$requestedAt)) : []
        let hours = request.application.assistant.knowledge.advisorHours
        return try await request.view.render("backoffice/chats", InboxPage(
            title: "Chats con clientes", frame: .init(staff), waiting: waiting, mine: mine, messages: messages, others: others,
            open: hours.isOpen(at: now), hours: hours.spoken, message: message
        ))
    }

    // MARK: One chat

    struct ChatPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let id: String
        let channel: String
        let status: String
        let statusTitle: String
        let agent: String?
        let lines: [LiveChatFeed.AgentFrame.Line]
        let cursor: Int
        let canTake: Bool
        let canWrite: Bool
        let isMessage: Bool
        let replies: [Reply]
        let message: String?
        /// The verified number, masked, and what the utility knows of it.
        let customerPhone: String?
        let context: [CustomerContextSection]

        struct Reply: Encodable { let title: String; let text: String }
    }

    static func statusTitle(_ chat: LiveChat) -> String {
        switch chat.statusValue {
        case .waiting: "En espera"
        case .active: "En atención"
        case .closed: "Cerrada"
        case .abandoned: "El cliente salió de la fila"
        case .message: chat.closedAt == nil ? "Mensaje por responder" : "Mensaje respondido"
        }
    }

    @Sendable
    func show(request: Request) async throws -> Response {
        try await renderChat(request, message: nil)
    }

    func renderChat(_ request: Request, message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let staff = try request.requireStaff()
        let service = request.application.liveChatService()
        guard let chat = try await service.find(request.parameters.get("chat") ?? "") else { throw LiveChatError.notFound }
        let frame = try await LiveChatFeed(service: service).agentFrame(chat: chat, after: 0)
        let mine = chat.takenBy == staff.email || staff.role == .supervisor || staff.role == .administrador
        let state = try await request.application.chatService().state(of: chat.conversationID)
        // The customer's number when it is proven: a WhatsApp chat's sender, or a web
        // conversation's number verified by SMS code. A number typed only to be answered by SMS is
        // not: the advisor must not see someone else's contracts because a customer typed it.
        let verified = chat.channel == "whatsapp" ? chat.phone : state?.verifiedPhone
        // The contract the conversation already names (the transcript beside shows it too).
        let contract = state?.billContract ?? state?.contractNumber ?? state?.pqr?.contractNumber
        let context = if let verified { try await request.application.customerContext(for: verified) } else { [CustomerContextSection]() }
        let open = chat.statusValue == .active || (chat.statusValue == .message && chat.closedAt == nil && chat.takenBy != nil)
        let page = ChatPage(
            title: "Chat con cliente", frame: .init(staff), id: try chat.requireID().uuidString, channel: Self.channelTitle(chat.channel), status: chat.status,
            statusTitle: Self.statusTitle(chat), agent: chat.takenName, lines: frame.lines, cursor: frame.cursor,
            canTake: chat.statusValue == .waiting || (chat.statusValue == .message && chat.takenBy == nil),
            canWrite: open && mine, isMessage: chat.statusValue == .message,
            replies: (request.application.utilityProfile?.advisorReplies ?? []).map { .init(title: $0.title, text: $0.text(contract: contract)) },
            message: message,
            customerPhone: verified.map(ColombianMobile.display),
            context: context
        )
        return try await request.view.render("backoffice/chat", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func agentFeed(request: Request, socket: WebSocket) async {
        guard request.staff != nil else {
            try? await socket.close(code: .policyViolation)
            return
        }
        let service = request.application.liveChatService()
        let id = request.parameters.get("chat") ?? ""
        guard let chatID = UUID(uuidString: id) else {
            try? await socket.close(code: .policyViolation)
            return
        }
        let feed = LiveChatFeed(service: service)
        await LiveChatFeed.run(socket, signals: request.application.changeSignals, topic: LiveChatService.topic(chatID), logger: request.logger,
                               next: { cursor -> (frame: LiveChatFeed.AgentFrame, cursor: Int, done: Bool)? in
            guard let chat = try await service.find(id) else { return nil }
            let frame = try await feed.agentFrame(chat: chat, after: cursor)
            let over = [LiveChat.Status.closed, .abandoned].contains(chat.statusValue)
            return (frame, frame.cursor, over)
        }, cursor: (try? request.query.get(Int.self, at: "after")) ?? 0)
    }

    @Sendable
    func take(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let id = request.parameters.get("chat") ?? ""
        do {
            _ = try await request.application.liveChatService().take(chat: id, by: staff)
            return request.redirect(to: "/backoffice/chats/\(id)", redirectType: .normal)
        } catch let error as LiveChatError {
            return try await renderInbox(request, message: error.reason).encodeResponse(status: error.status, for: request)
        }
    }

    struct ReplyForm: Content { var texto: String? }

    /// A reply: JSON for the page's script (`{"ok": true}` or the error), a redirect for a form.
    @Sendable
    func reply(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let id = request.parameters.get("chat") ?? ""
        let form = (try? request.content.decode(ReplyForm.self)) ?? ReplyForm()
        let wantsJSON = request.headers.accept.contains { $0.mediaType == .json }
        do {
            try await request.application.liveChatService().agentMessage(chat: id, text: form.texto ?? "", by: staff)
            if wantsJSON { return try await ["ok": true].encodeResponse(for: request) }
            return request.redirect(to: "/backoffice/chats/\(id)", redirectType: .normal)
        } catch let error as LiveChatError {
            if wantsJSON { throw error }
            return try await renderChat(request, message: error.reason, status: error.status)
        }
    }

    struct CloseForm: Content { var resuelto: String? }

    @Sendable
    func close(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let id = request.parameters.get("chat") ?? ""
        let form = (try? request.content.decode(CloseForm.self)) ?? CloseForm()
        do {
            let service = request.application.liveChatService()
            let wasMessage = try await service.find(id)?.statusValue == .message
            try await service.close(chat: id, resolved: form.resuelto == "si", by: staff)
            let done = wasMessage ? "Mensaje marcado como respondido." : "Conversación cerrada: el cliente volvió con Ema, que le pidió calificar la atención."
            return try await renderInbox(request, message: done).encodeResponse(for: request)
        } catch let error as LiveChatError {
            return try await renderChat(request, message: error.reason, status: error.status)
        }
    }
}
