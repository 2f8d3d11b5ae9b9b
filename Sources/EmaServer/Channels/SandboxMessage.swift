import Fluent
import Foundation

/// A message that would have left Ema (SMS or WhatsApp) when the provider has no credentials.
/// The simulator page shows them, so a newcomer can read the code the SMS carried.
final class SandboxMessage: Model, @unchecked Sendable {
    static let schema = "sandbox_messages"

    @ID(key: .id) var id: UUID?
    /// `sms` or `whatsapp`.
    @Field(key: "channel") var channel: String
    @Field(key: "recipient") var recipient: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(channel: String, recipient: String, body: String, createdAt: Date) {
        self.channel = channel
        self.recipient = recipient
        self.body = body
        self.createdAt = createdAt
    }

    /// The sandbox's latest text messages, newest first (its inbox page).
    static func latestTexts(limit: Int, on database: any Database) async throws -> [SandboxMessage] {
        try await query(on: database).filter(\.$channel == "sms").sort(\.$createdAt, .descending).limit(limit).all()
    }
}

struct CreateSandboxMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SandboxMessage.schema)
            .id()
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SandboxMessage.schema).delete()
    }
}
