import EmaCore
import Fluent
import Foundation

/// One conversation with Ema: its engine state as JSON, and a version that makes two turns of
/// the same conversation at once impossible to interleave.
final class Conversation: Model, @unchecked Sendable {
    static let schema = "conversations"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "channel") var channel: String
    @Field(key: "state") var state: String
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The conversation's own message limit: when its current one-minute window began (epoch
    /// seconds) and how many messages came in it. Kept in the row every turn writes anyway, so
    /// the limit costs no extra write.
    @OptionalField(key: "turns_window_start") var turnsWindowStart: Int64?
    @OptionalField(key: "turns_in_window") var turnsInWindow: Int?
    /// The web chat's last message id (chosen by the widget) and the replies it got, so a retry
    /// of that message (a timeout, a dropped connection) gets the same answer, not a second turn.
    @OptionalField(key: "last_message_id") var lastMessageID: String?
    @OptionalField(key: "last_replies") var lastReplies: String?

    init() {}
}

/// The columns of the web chat's retried message.
struct AddLastMessageToConversations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Conversation.schema).field("last_message_id", .string).update()
        try await database.schema(Conversation.schema).field("last_replies", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Conversation.schema).deleteField("last_message_id").update()
        try await database.schema(Conversation.schema).deleteField("last_replies").update()
    }
}

/// The columns of a conversation's message limit.
struct AddTurnWindowToConversations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await database.schema(Conversation.schema).field("turns_window_start", .int64).update()
        try await database.schema(Conversation.schema).field("turns_in_window", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Conversation.schema).deleteField("turns_window_start").update()
        try await database.schema(Conversation.schema).deleteField("turns_in_window").update()
    }
}

struct CreateConversations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Conversation.schema)
            .field("id", .string, .identifier(auto: false))
            .field("channel", .string, .required)
            .field("state", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Conversation.schema).delete()
    }
}

/// Proof of each authorization of data processing and each acceptance of the terms (and of
/// refusals): who, on which channel, which version, the hash of the exact text shown, when.
final class ConsentRecord: Model, @unchecked Sendable {
    static let schema = "consent_records"

    @ID(key: .id) var id: UUID?
    /// `politica_datos` or `terminos`.
    @Field(key: "kind") var kind: String
    @Field(key: "granted") var granted: Bool
    @Field(key: "version") var version: String
    @Field(key: "text_sha256") var textSHA256: String
    @Field(key: "channel") var channel: String
    @Field(key: "conversation_id") var conversationID: String
    /// The verified number, when the person had verified one.
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

extension ConsentRecord {
    /// Keeps the proof of an authorization, an acceptance or a refusal.
    static func record(_ consent: ConsentEvidence, on database: any Database) async throws {
        let record = ConsentRecord()
        record.kind = consent.kind.rawValue
        record.granted = consent.granted
        record.version = consent.version
        record.textSHA256 = consent.textHash
        record.channel = consent.channel.rawValue
        record.conversationID = consent.conversationID
        record.phone = consent.phone
        record.createdAt = consent.at
        try await record.create(on: database)
    }
}

struct CreateConsentRecords: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentRecord.schema)
            .id()
            .field("kind", .string, .required)
            .field("granted", .bool, .required)
            .field("version", .string, .required)
            .field("text_sha256", .string, .required)
            .field("channel", .string, .required)
            .field("conversation_id", .string, .required)
            .field("phone", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConsentRecord.schema).delete()
    }
}
