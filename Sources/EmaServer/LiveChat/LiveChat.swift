import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A conversation handed from Ema to a human advisor: requested, taken by one agent, closed
/// back to Ema (or abandoned by the customer before anyone took it). Outside the advisors'
/// hours a customer may leave a message instead (`mensaje`), answered later.
final class LiveChat: Model, @unchecked Sendable {
    static let schema = "live_chats"

    /// en_espera → en_atencion → cerrado; en_espera → abandonado; mensaje → cerrado
    typealias Status = LiveChatStatus

    @ID(key: .id) var id: UUID?
    /// The Ema conversation (`wa:+57…` on WhatsApp, the session id on the web).
    @Field(key: "conversation_id") var conversationID: String
    /// web, kiosk or whatsapp
    @Field(key: "channel") var channel: String
    /// The WhatsApp number, to send the agent's words; nil on the web.
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "status") var status: String
    @Field(key: "requested_at") var requestedAt: Date
    /// The Bogotá day of the request (`2026-12-02`): months are ranges of it.
    @Field(key: "requested_on") var requestedOn: String
    @OptionalField(key: "taken_at") var takenAt: Date?
    @OptionalField(key: "taken_by") var takenBy: String?
    @OptionalField(key: "taken_name") var takenName: String?
    @OptionalField(key: "first_reply_at") var firstReplyAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closed_by") var closedBy: String?
    /// The agent's word at closing: was the customer's need solved in the chat?
    @OptionalField(key: "resolved") var resolved: Bool?
    @OptionalField(key: "rating") var rating: Int?
    @OptionalField(key: "rated_at") var ratedAt: Date?

    var statusValue: Status { Status(rawValue: status) ?? .closed }

    init() {}
}

/// One line of a live chat: the customer's, the agent's, or the system's ("Laura tomó la
/// conversación"). The id orders them and is the cursor of the live feeds.
final class LiveChatMessage: Model, @unchecked Sendable {
    static let schema = "live_chat_messages"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "chat_id") var chatID: UUID
    @Field(key: "at") var at: Date
    /// cliente, asesor, ema or sistema
    @Field(key: "author") var author: String
    @OptionalField(key: "name") var name: String?
    @Field(key: "text") var text: String

    init() {}
}

struct CreateLiveChats: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LiveChat.schema)
            .id()
            .field("conversation_id", .string, .required)
            .field("channel", .string, .required)
            .field("phone", .string)
            .field("status", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("requested_on", .string, .required)
            .field("taken_at", .datetime)
            .field("taken_by", .string)
            .field("taken_name", .string)
            .field("first_reply_at", .datetime)
            .field("closed_at", .datetime)
            .field("closed_by", .string)
            .field("resolved", .bool)
            .field("rating", .int)
            .field("rated_at", .datetime)
            .create()
        try await database.schema(LiveChatMessage.schema)
            .field("id", .int, .identifier(auto: true))
            .field("chat_id", .uuid, .required, .references(LiveChat.schema, "id"))
            .field("at", .datetime, .required)
            .field("author", .string, .required)
            .field("name", .string)
            .field("text", .string, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE INDEX live_chats_status ON live_chats (status, requested_at)").run()
        try await sql.raw("CREATE INDEX live_chats_requested_on ON live_chats (requested_on)").run()
        try await sql.raw("CREATE INDEX live_chats_conversation ON live_chats (conversation_id)").run()
        try await sql.raw("CREATE INDEX live_chat_messages_chat ON live_chat_messages (chat_id, id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LiveChatMessage.schema).delete()
        try await database.schema(LiveChat.schema).delete()
    }
}
