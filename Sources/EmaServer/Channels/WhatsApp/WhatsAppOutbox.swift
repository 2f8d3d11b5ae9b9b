import Fluent
import Foundation

/// A message waiting to go out on WhatsApp, or gone. The attempt is recorded (`sending`) before
/// the HTTP call, so a crash between the call and the result leaves the row `uncertain` instead
/// of sending it twice.
final class WhatsAppOutboxMessage: Model, @unchecked Sendable {
    static let schema = "whatsapp_outbox"

    enum State: String { case queued, sending, sent, failed, uncertain }

    @ID(key: .id) var id: UUID?
    @Field(key: "recipient") var recipient: String
    /// The Graph API message body (JSON).
    @Field(key: "body") var body: String
    /// Free-form messages need the 24-hour window; templates do not.
    @Field(key: "is_template") var isTemplate: Bool
    @Field(key: "state") var state: String
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "wamid") var wamid: String?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateWhatsAppOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WhatsAppOutboxMessage.schema)
            .id()
            .field("recipient", .string, .required)
            .field("body", .string, .required)
            .field("is_template", .bool, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("wamid", .string)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WhatsAppOutboxMessage.schema).delete()
    }
}
