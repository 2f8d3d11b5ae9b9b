import Fluent
import Foundation
import SQLKit

/// An inbound WhatsApp message, kept by its Meta id so a repeated delivery is processed once.
final class WhatsAppInbound: Model, @unchecked Sendable {
    static let schema = "whatsapp_inbound"

    @ID(custom: "wamid", generatedBy: .user) var id: String?
    /// E.164 of the sender.
    @Field(key: "sender") var sender: String
    /// The message object as Meta sent it (JSON).
    @Field(key: "payload") var payload: String
    /// Meta's timestamp (seconds), for ordering.
    @Field(key: "sent_at") var sentAt: Double
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "state") var state: String

    /// `pending` until its turn commits, then `done`.
    enum State: String { case pending, done }

    init() {}
}

/// One number writing to Ema: the 24-hour window and the lease that keeps its messages in order.
final class WhatsAppSender: Model, @unchecked Sendable {
    static let schema = "whatsapp_senders"

    @ID(custom: "sender", generatedBy: .user) var id: String?
    @Field(key: "last_inbound_at") var lastInboundAt: Date
    /// Lease of the worker answering this sender's messages.
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @OptionalField(key: "locked_by") var lockedBy: String?

    init() {}
}

/// The latest known status of a message Ema sent (from status webhooks).
final class WhatsAppMessageStatus: Model, @unchecked Sendable {
    static let schema = "whatsapp_message_statuses"

    @ID(custom: "wamid", generatedBy: .user) var id: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "error_code") var errorCode: Int?
    @OptionalField(key: "callback_data") var callbackData: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateWhatsAppRecords: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WhatsAppInbound.schema)
            .field("wamid", .string, .identifier(auto: false))
            .field("sender", .string, .required)
            .field("payload", .string, .required)
            .field("sent_at", .double, .required)
            .field("received_at", .datetime, .required)
            .field("state", .string, .required)
            .create()
        try await database.sql.create(index: "whatsapp_inbound_sender_state")
            .on(WhatsAppInbound.schema).column("sender").column("state").run()
        try await database.schema(WhatsAppSender.schema)
            .field("sender", .string, .identifier(auto: false))
            .field("last_inbound_at", .datetime, .required)
            .field("locked_until", .datetime)
            .field("locked_by", .string)
            .field("send_locked_until", .datetime)
            .field("send_locked_by", .string)
            .create()
        try await database.schema(WhatsAppMessageStatus.schema)
            .field("wamid", .string, .identifier(auto: false))
            .field("status", .string, .required)
            .field("error_code", .int)
            .field("callback_data", .string)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WhatsAppMessageStatus.schema).delete()
        try await database.schema(WhatsAppSender.schema).delete()
        try await database.schema(WhatsAppInbound.schema).delete()
    }
}

/// One lease per number answers and sends (issue 18): the second lease, for sending, goes.
/// One column per statement (SQLite drops one at a time).
struct DropSendLeaseFromSenders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WhatsAppSender.schema).deleteField("send_locked_until").update()
        try await database.schema(WhatsAppSender.schema).deleteField("send_locked_by").update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WhatsAppSender.schema).field("send_locked_until", .datetime).update()
        try await database.schema(WhatsAppSender.schema).field("send_locked_by", .string).update()
    }
}
