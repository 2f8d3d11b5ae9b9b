import Fluent
import Foundation
import SQLKit

/// A message waiting to go out on WhatsApp, or gone. The attempt is recorded (`sending`) before
/// the HTTP call, so a crash between the call and the result leaves the row `uncertain` instead
/// of sending it twice.
final class WhatsAppOutboxMessage: Model, @unchecked Sendable {
    static let schema = "whatsapp_outbox"

    enum State: String { case queued, sending, sent, failed, uncertain }

    /// `conversation`: sent by the recipient's own job, in order with the rest of the
    /// conversation. `bulk`: a campaign (the monthly bill), sent in batches by the bulk sender.
    enum Lane: String { case conversation, bulk }

    /// Messages waiting to be sent (for `/metrics`).
    static func queued(on database: any Database) async throws -> Int {
        try await database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(schema)
            .where("state", .equal, SQLBind(State.queued.rawValue)).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "recipient") var recipient: String
    /// The Graph API message body (JSON).
    @Field(key: "body") var body: String
    /// Free-form messages need the 24-hour window; templates do not.
    @Field(key: "is_template") var isTemplate: Bool
    @Field(key: "lane") var lane: String
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

/// The bulk lane of the monthly bill, and the indexes a million rows need: the recipient's
/// queue in order, the bulk lane's queue. (It also indexed Billing's deliveries by message;
/// Billing's `AddDeliveriesOutboxIndex` does that now, and keeps the index where it exists.)
struct AddOutboxLane: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WhatsAppOutboxMessage.schema)
            .field("lane", .string, .required, .sql(.default(WhatsAppOutboxMessage.Lane.conversation.rawValue)))
            .update()
        let sql = database.sql
        // Partial indexes (both databases have them), written with literals so queries that
        // repeat the same literals can use them: the bulk lane's million rows stay out of the
        // conversation index, and leave the bulk index once sent.
        try await sql.raw("CREATE INDEX whatsapp_outbox_recipient_created ON whatsapp_outbox (recipient, created_at) WHERE lane = 'conversation'").run()
        try await sql.raw("CREATE INDEX whatsapp_outbox_bulk_open ON whatsapp_outbox (state, created_at) WHERE lane = 'bulk' AND state <> 'sent'").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        for index in ["whatsapp_outbox_bulk_open", "whatsapp_outbox_recipient_created"] {
            try await sql.drop(index: index).run()
        }
        try await database.schema(WhatsAppOutboxMessage.schema).deleteField("lane").update()
    }
}

/// A status without its callback data finds its message by wamid; the recovery of interrupted
/// replies reads only the few rows in doubt.
struct AddOutboxRecoveryIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.create(index: "whatsapp_outbox_wamid").on(WhatsAppOutboxMessage.schema).column("wamid").run()
        try await sql.raw("CREATE INDEX whatsapp_outbox_replies_in_doubt ON whatsapp_outbox (state, updated_at) WHERE lane = 'conversation' AND state IN ('sending', 'uncertain')").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        for index in ["whatsapp_outbox_wamid", "whatsapp_outbox_replies_in_doubt"] {
            try await sql.drop(index: index).run()
        }
    }
}
