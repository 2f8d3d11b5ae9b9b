import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

enum LiveChatError: EmaError {
    case notFound, alreadyTaken, notYours, closed, emptyText, tooLong, notDelivered

    var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .alreadyTaken, .closed: .conflict
        case .notYours: .forbidden
        case .emptyText, .tooLong: .badRequest
        case .notDelivered: .serviceUnavailable
        }
    }

    var code: String {
        switch self {
        case .notFound: "chat_not_found"
        case .alreadyTaken: "chat_already_taken"
        case .notYours: "chat_not_yours"
        case .closed: "chat_closed"
        case .emptyText: "empty_text"
        case .tooLong: "text_too_long"
        case .notDelivered: "not_delivered"
        }
    }

    var reason: String {
        switch self {
        case .notFound: "No encontramos esa conversación."
        case .alreadyTaken: "Otra persona del equipo tomó esta conversación primero."
        case .notYours: "Esta conversación la atiende otra persona del equipo."
        case .closed: "Esta conversación ya terminó."
        case .emptyText: "Escribe la respuesta antes de enviarla."
        case .tooLong: "La respuesta es muy larga: máximo 1.000 caracteres."
        case .notDelivered: "No pudimos enviar el mensaje de texto al cliente: el servicio de SMS no está disponible en este momento, así que tu respuesta no se envió ni se guardó. Llama al cliente o inténtalo más tarde."
        }
    }
}

/// Live chats between customers and advisors: the queue, taking a chat (one agent wins), the
/// messages both ways, and closing back to Ema with the rating question. Agents' words reach a
/// WhatsApp customer through the outbox, a web customer through the live feed (`feed`), and a
/// message left out of hours by WhatsApp or SMS.
struct LiveChatService: Sendable {
    /// The node's database, or a turn's transaction.
    let database: any Database
    let clock: AppClock
    /// Wakes the advisors' pages and the customers' feeds, on every node.
    let signals: ChangeSignals
    /// The conversations the chats come from and go back to.
    let chats: @Sendable (any Database) -> ChatService
    /// A WhatsApp customer's lines leave through its outbox; a message left on the web is
    /// answered by SMS, through the SMS outbox.
    let whatsApp: @Sendable (any Database) -> WhatsAppService
    let sms: SMSOutbox
    /// The utility's short name, which signs an SMS.
    let utilityName: String

    static let maxText = 1_000

    /// The same service over another database (a transaction).
    func on(_ other: any Database) -> LiveChatService {
        LiveChatService(database: other, clock: clock, signals: signals, chats: chats, whatsApp: whatsApp, sms: sms, utilityName: utilityName)
    }

    // MARK: The customer's side

    func request(_ request: AgentRequest) async throws -> (chat: String, status: AgentQueueStatus) {
        if request.message == nil, let open = try await LiveChat.query(on: database).filter(\.$conversationID == request.conversationID)
            .filter(\.$status ~~ [LiveChat.Status.waiting.rawValue, LiveChat.Status.active.rawValue]).first() {
            return (try open.requireID().uuidString, try await status(of: open))
        }
        let now = clock.now()
        let chat = LiveChat()
        chat.id = UUID()
        chat.conversationID = request.conversationID
        chat.channel = request.channel.rawValue
        chat.phone = request.phone
        chat.status = (request.message == nil ? LiveChat.Status.waiting : .message).rawValue
        chat.requestedAt = now
        chat.requestedOn = clock.today.description
        try await database.writeTransaction { [signals] tx in
            try await chat.create(on: tx)
            await signals.signal(Self.inboxTopic, on: tx)
            for (index, line) in request.transcript.enumerated() {
                try await append(to: chat, author: line.who, name: nil, text: line.text, at: now.addingTimeInterval(Double(index - request.transcript.count) / 1_000), on: tx)
            }
            if let message = request.message {
                try await append(to: chat, author: "cliente", name: nil, text: message, at: now, on: tx)
            }
        }
        return (chat.id!.uuidString, try await status(of: chat))
    }

    func customerMessage(chat id: String, text: String) async throws -> AgentQueueStatus {
        guard let chat = try await find(id) else { return .ended }
        guard [LiveChat.Status.waiting, .active].contains(chat.statusValue) else { return .ended }
        try await append(to: chat, author: "cliente", name: nil, text: String(text.prefix(Self.maxText)), at: clock.now(), on: database)
        return try await status(of: chat)
    }

    /// The customer leaves: a waiting chat is abandoned, an attended one closed. True when attended.
    func customerLeaves(chat id: String) async throws -> Bool {
        guard let chat = try await find(id) else { return false }
        let now = clock.now()
        switch chat.statusValue {
        case .waiting:
            let moved = try await conditionalUpdate(chat, from: .waiting, set: ["status": LiveChat.Status.abandoned.rawValue, "closed_at": now, "closed_by": "cliente"])
            if moved { try await append(to: chat, author: "sistema", name: nil, text: "El cliente salió de la fila.", at: now, on: database) }
            return false
        case .active:
            let moved = try await conditionalUpdate(chat, from: .active, set: ["status": LiveChat.Status.closed.rawValue, "closed_at": now, "closed_by": "cliente"])
            if moved { try await append(to: chat, author: "sistema", name: nil, text: "El cliente terminó la conversación.", at: now, on: database) }
            return moved
        default:
            return false
        }
    }

    func rate(chat id: String, score: Int, comment: String?) async throws -> Bool {
        guard let chat = try await find(id), chat.statusValue == .closed, chat.rating == nil else { return false }
        let recorded = try await SurveyService(database: database, clock: clock).record(.init(kind: .chat, subject: id, channel: chat.channel, score: score, comment: comment))
        guard recorded else { return false }
        chat.rating = score
        chat.ratedAt = clock.now()
        try await chat.save(on: database)
        return true
    }

    /// Where a chat stands: its place in the queue (by request time) or who attends it.
    func status(of chat: LiveChat) async throws -> AgentQueueStatus {
        switch chat.statusValue {
        case .waiting:
            // Same instant: the id breaks the tie, as in the inbox's order.
            let id = try chat.requireID()
            let ahead = try await LiveChat.query(on: database).filter(\.$status == LiveChat.Status.waiting.rawValue)
                .group(.or) { earlier in
                    earlier.filter(\.$requestedAt < chat.requestedAt)
                    earlier.group(.and) { $0.filter(\.$requestedAt == chat.requestedAt).filter(\.$id < id) }
                }
                .count()
            return .waiting(ahead: ahead)
        case .active:
            return .attending(name: chat.takenName ?? "un asesor")
        default:
            return .ended
        }
    }

    // MARK: The advisor's side

    /// Takes a waiting chat (or a message left out of hours). Two agents at once: one wins, the
    /// other gets `alreadyTaken`.
    func take(chat id: String, by staff: StaffContext) async throws -> LiveChat {
        guard let chat = try await find(id) else { throw LiveChatError.notFound }
        let now = clock.now()
        switch chat.statusValue {
        case .waiting:
            guard try await conditionalUpdate(chat, from: .waiting, set: ["status": LiveChat.Status.active.rawValue, "taken_at": now, "taken_by": staff.email, "taken_name": staff.name]) else {
                throw LiveChatError.alreadyTaken
            }
            let greeting = "👋 Hola, soy \(staff.name), del equipo de atención al cliente. Ya leí lo que conversaste con Ema; cuéntame, ¿en qué te ayudo?"
            try await append(to: chat, author: "asesor", name: staff.name, text: greeting, at: now, on: database)
            try await deliver(chat, [.text(greeting)])
        case .message where chat.takenBy == nil:
            let moved = try await database.sql.raw("""
                UPDATE live_chats SET taken_at = \(bind: now), taken_by = \(bind: staff.email), taken_name = \(bind: staff.name)
                WHERE id = \(bind: chat.requireID()) AND taken_by IS NULL RETURNING id
                """).all()
            guard !moved.isEmpty else { throw LiveChatError.alreadyTaken }
        case .message, .active:
            throw LiveChatError.alreadyTaken
        case .closed, .abandoned:
            throw LiveChatError.closed
        }
        return try await find(id) ?? chat
    }

    func agentMessage(chat id: String, text: String, by staff: StaffContext) async throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw LiveChatError.emptyText }
        guard text.count <= Self.maxText else { throw LiveChatError.tooLong }
        let chat = try await attended(id, by: staff)
        let now = clock.now()
        // The line and what carries it to the customer (the WhatsApp or SMS outbox) commit together.
        try await database.writeTransaction { [self] tx in
            try await append(to: chat, author: "asesor", name: staff.name, text: text, at: now, on: tx)
            if chat.firstReplyAt == nil {
                try await tx.sql.raw("UPDATE live_chats SET first_reply_at = \(bind: now) WHERE id = \(bind: chat.requireID()) AND first_reply_at IS NULL").run()
            }
            try await on(tx).deliver(chat, [.text("\(staff.name): \(text)")])
        }
    }

    /// Closes the chat back to Ema: the customer is told, and asked to rate it. A message left
    /// out of hours is marked answered.
    func close(chat id: String, resolved: Bool, by staff: StaffContext) async throws {
        let chat = try await attended(id, by: staff)
        let now = clock.now()
        if chat.statusValue == .message {
            chat.closedAt = now
            chat.closedBy = staff.email
            chat.resolved = resolved
            try await chat.save(on: database)
            return
        }
        guard try await conditionalUpdate(chat, from: .active, set: ["status": LiveChat.Status.closed.rawValue, "closed_at": now, "closed_by": staff.email, "resolved": resolved]) else {
            throw LiveChatError.closed
        }
        try await append(to: chat, author: "sistema", name: nil, text: "\(staff.name) cerró la conversación\(resolved ? " (resuelta)" : " (sin resolver)").", at: now, on: database)
        let subject = "chat:" + (try chat.requireID().uuidString)
        try await chats(database).update(chat.conversationID) { state in
            guard state.liveChat == chat.id?.uuidString else { return false }
            state.liveChat = nil
            state.step = .mainMenu
            state.pendingSurvey = subject
            state.surveyScore = nil
            state.offered = SurveyChoices.rating
            return true
        }
        try await deliver(chat, Self.closingReplies(agent: staff.name))
    }

    static func closingReplies(agent: String) -> [Reply] {
        [.choices("\(agent) terminó la conversación y te devolvió con Ema. 😊 ¿Cómo calificarías la atención que recibiste, de 1 a 5? (5 es excelente)", SurveyChoices.rating)]
    }

    // MARK: Reading

    func find(_ id: String) async throws -> LiveChat? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await LiveChat.find(uuid, on: database)
    }

    func messages(of chat: LiveChat, after cursor: Int = 0) async throws -> [LiveChatMessage] {
        try await LiveChatMessage.query(on: database).filter(\.$chatID == chat.requireID()).filter(\.$id > cursor).sort(\.$id).all()
    }

    /// A chat the signed-in agent attends (supervisors may act on any).
    func attended(_ id: String, by staff: StaffContext) async throws -> LiveChat {
        guard let chat = try await find(id) else { throw LiveChatError.notFound }
        guard [LiveChat.Status.active, .message].contains(chat.statusValue), chat.closedAt == nil else { throw LiveChatError.closed }
        guard chat.takenBy == staff.email || staff.role == .supervisor || staff.role == .administrador else { throw LiveChatError.notYours }
        return chat
    }

    // MARK: Internals

    private func append(to chat: LiveChat, author: String, name: String?, text: String, at: Date, on database: any Database) async throws {
        let message = LiveChatMessage()
        message.chatID = try chat.requireID()
        message.at = at
        message.author = author
        message.name = name
        message.text = text
        try await message.create(on: database)
        await signals.signal(Self.topic(try chat.requireID()), on: database)
        // The inbox shows the customer's last line.
        if author == "cliente" { await signals.signal(Self.inboxTopic, on: database) }
    }

    /// What the live feeds of a chat listen to (`ChangeSignals`): a line or its status changed.
    static func topic(_ chat: UUID) -> String { "chat:\(chat.uuidString)" }
    /// What the advisors' inbox listens to: a chat asked for, taken, closed, or a customer's line.
    static let inboxTopic = "chats"

    private func conditionalUpdate(_ chat: LiveChat, from status: LiveChat.Status, set values: [String: any Encodable & Sendable]) async throws -> Bool {
        var update = database.sql.update(LiveChat.schema)
        for (column, value) in values { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
        let moved = try await update.where("id", .equal, SQLBind(try chat.requireID())).where("status", .equal, SQLBind(status.rawValue)).returning("id").all()
        if !moved.isEmpty {
            await signals.signal(Self.topic(try chat.requireID()), on: database)
            await signals.signal(Self.inboxTopic, on: database)
        }
        return !moved.isEmpty
    }

    /// Sends replies to the customer where they are: WhatsApp through the outbox; a message left
    /// on the web by SMS; a live web chat reads them from its feed (nothing to send here).
    private func deliver(_ chat: LiveChat, _ replies: [Reply]) async throws {
        guard let phone = chat.phone else { return }
        if chat.channel == EmaCore.Channel.whatsapp.rawValue {
            try await whatsApp(database).queueReplies(replies, to: phone)
        } else if chat.statusValue == .message {
            let text = replies.compactMap { reply -> String? in if case .text(let text) = reply { return text }; return nil }.joined(separator: "\n")
            do {
                try await sms.on(database).queue(String("\(utilityName): \(text)".prefix(600)), to: phone, purpose: "mensaje_asesor")
            } catch SMSError.notConfigured {
                throw LiveChatError.notDelivered
            }
        }
    }
}


extension Application {
    /// Live chats over `database` (a turn's transaction; by default this node's database).
    func liveChatService(database: (any Database)? = nil) -> LiveChatService {
        LiveChatService(database: database ?? db, clock: clock, signals: changeSignals, chats: { [self] in chatService(database: $0) },
                        whatsApp: { [self] in whatsAppService(database: $0) }, sms: smsOutbox(), utilityName: utilityProfile?.shortName ?? "Ema")
    }
}
