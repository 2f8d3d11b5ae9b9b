import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Runs conversation turns: load the state, let the engine answer, save the new state. The save
/// is conditioned on the version read, so two turns of one conversation never interleave. A
/// turn is one transaction: what the engine's effects write (a PQR, a code and its SMS in the
/// outbox) and the new state commit together or not at all; a caller already in a transaction
/// (a WhatsApp turn, which adds its replies and the message's done mark) runs it inside its own.
struct ChatService: Sendable {
    /// The node's database, or the transaction a turn runs in.
    let database: any Database
    let clock: AppClock
    /// The conversation engine.
    let assistant: Assistant
    /// The classifier with what staff taught; nil: the engine's own.
    var models: IntentModels?
    /// What a turn's effects do, over its transaction, for a client (an address, a number) in a
    /// conversation.
    let effects: @Sendable (_ client: String?, _ conversation: String, _ database: any Database) -> AssistantService
    /// Where each turn's duration goes (`ema_turn_duration_seconds`, by channel).
    var metrics: HTTPMetrics?

    /// The same service over another database (a transaction).
    func on(_ other: any Database) -> ChatService {
        var service = ChatService(database: other, clock: clock, assistant: assistant, models: models, effects: effects)
        service.metrics = metrics
        return service
    }

    /// Starts a conversation; returns its id and the greeting.
    func start(channel: EmaCore.Channel, id given: String? = nil, senderPhone: String? = nil) async throws -> (id: String, replies: [Reply]) {
        let now = clock.now()
        let id = given ?? SecureRandom.hex(16)
        let (state, replies) = assistant.start(id: id, channel: channel, now: now, senderPhone: senderPhone)
        let conversation = Conversation()
        conversation.id = id
        conversation.channel = channel.rawValue
        conversation.state = try Self.encode(state)
        conversation.version = 1
        conversation.createdAt = now
        conversation.updatedAt = now
        try await database.writeTransaction { transaction in
            try await conversation.create(on: transaction)
            try await AssistantUsage.record([.conversation], channel: channel, at: now, on: transaction)
        }
        return (id, replies)
    }

    /// One message of the customer in an existing conversation.
    /// Whether the conversation exists.
    func exists(_ id: String) async throws -> Bool {
        try await Conversation.find(id, on: database) != nil
    }

    /// Where the conversation stands, when it exists.
    func state(of id: String) async throws -> ConversationState? {
        guard id.count <= 64, let conversation = try await Conversation.find(id, on: database) else { return nil }
        return try JSONDecoder().decode(ConversationState.self, from: Data(conversation.state.utf8))
    }

    func handle(_ message: InboundMessage, in id: String, client: String?) async throws -> [Reply] {
        try await turn(message, in: id, client: client).replies
    }

    /// One message, with the state it left (the web chat reads whether an advisor has it).
    /// `limit`: at most that many messages in each of its windows (the web chat's 60 a minute),
    /// counted in the conversation's own row; over it, `PlatformError.rateLimited` and nothing
    /// written.
    /// `messageID`: the web chat's id of this message; the same id again (a retry) gets the
    /// replies it got the first time, with no second turn.
    func turn(_ message: InboundMessage, in id: String, client: String?, limit: RateLimit? = nil,
              messageID: String? = nil) async throws -> (replies: [Reply], state: ConversationState) {
        let start = ContinuousClock.now
        let result = try await database.writeTransaction { transaction in
            try await on(transaction).turnInside(message, in: id, client: client, limit: limit, messageID: messageID)
        }
        let elapsed = ContinuousClock.now - start
        metrics?.turn(channel: result.state.channel.rawValue, seconds: elapsed.seconds)
        return result
    }

    private func turnInside(_ message: InboundMessage, in id: String, client: String?, limit: RateLimit?,
                            messageID: String?) async throws -> (replies: [Reply], state: ConversationState) {
        guard id.count <= 64, let conversation = try await Conversation.find(id, on: database) else { throw AssistantError.sessionNotFound }
        let state = try JSONDecoder().decode(ConversationState.self, from: Data(conversation.state.utf8))
        if let messageID, conversation.lastMessageID == messageID, let stored = conversation.lastReplies {
            return (try JSONDecoder().decode([Reply].self, from: Data(stored.utf8)), state)
        }
        let now = clock.now()
        let window = Self.window(conversation, now: now, length: limit?.window ?? 60)
        if let limit, window.count > limit.limit {
            throw PlatformError.rateLimited(retryAfterSeconds: max(1, Int(window.start + Int64(limit.window) - Int64(now.timeIntervalSince1970))))
        }
        var engine = assistant
        if let models { engine.classifier = try await models.current(on: database) }
        var (next, replies) = try await engine.handle(message, state: state, now: now, effects: effects(client, id, database))
        if next.forget == true {
            // The holder's data were suppressed and the engine started over: a WhatsApp
            // conversation (its id is the number) goes; a web one stays, empty, under its random id.
            if id.hasPrefix("wa:") {
                try await database.sql.delete(from: Conversation.schema).where("id", .equal, SQLBind(id)).run()
                return (replies, next)
            }
            next.forget = nil
        }
        let update = database.sql.update(Conversation.schema)
            .set("state", to: SQLBind(try Self.encode(next)))
            .set("version", to: SQLBind(conversation.version + 1))
            .set("updated_at", to: SQLBind(now))
            .set("turns_window_start", to: SQLBind(window.start))
            .set("turns_in_window", to: SQLBind(window.count))
        if let messageID {
            update.set("last_message_id", to: SQLBind(messageID))
                .set("last_replies", to: SQLBind(String(decoding: try JSONEncoder().encode(replies), as: UTF8.self)))
        }
        let saved = try await update
            .where("id", .equal, SQLBind(id))
            .where("version", .equal, SQLBind(conversation.version))
            .returning("id")
            .all()
        guard !saved.isEmpty else { throw AssistantError.busy }
        return (replies, next)
    }

    /// The conversation's message window with this message counted: the current one, or a new
    /// one when it ended.
    static func window(_ conversation: Conversation, now: Date, length: TimeInterval) -> (start: Int64, count: Int) {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        guard let start = conversation.turnsWindowStart, seconds - start < Int64(length.rounded(.up)) else { return (seconds, 1) }
        return (start, (conversation.turnsInWindow ?? 0) + 1)
    }

    /// Changes a conversation's state from outside a turn (an advisor closing a chat, a survey
    /// sent): read, change, save on the same version, a few tries. `change` returns false to
    /// leave the state as it is. False when the conversation does not exist or was not changed.
    @discardableResult
    func update(_ id: String, _ change: (inout ConversationState) -> Bool) async throws -> Bool {
        for _ in 0..<5 {
            guard let conversation = try await Conversation.find(id, on: database) else { return false }
            var state = try JSONDecoder().decode(ConversationState.self, from: Data(conversation.state.utf8))
            guard change(&state) else { return false }
            let saved = try await database.sql.update(Conversation.schema)
                .set("state", to: SQLBind(try Self.encode(state)))
                .set("version", to: SQLBind(conversation.version + 1))
                .where("id", .equal, SQLBind(id))
                .where("version", .equal, SQLBind(conversation.version))
                .returning("id")
                .all()
            if !saved.isEmpty { return true }
        }
        return false
    }

    static func encode(_ state: ConversationState) throws -> String {
        String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
    }
}
