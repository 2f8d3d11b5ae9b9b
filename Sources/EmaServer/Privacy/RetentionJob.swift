import Fluent
import Foundation
import SQLKit

/// Keeps personal data only as long as the privacy policy says: conversation transcripts (Ema's
/// conversations, WhatsApp messages in and out, advisors' chat messages, the sandbox inboxes)
/// after `retentionConversationDays` without activity, one-time-code records after
/// `retentionCodeDays`. Runs every six hours on one node.
enum RetentionJob {
    static let kind = "privacy.retention"
    static let every: TimeInterval = 6 * 3_600

    struct Removed: Equatable, CustomStringConvertible {
        var conversations = 0
        var whatsAppMessages = 0
        var chatMessages = 0
        var sandboxMessages = 0
        var codes = 0

        var description: String {
            "conversaciones=\(conversations) whatsapp=\(whatsAppMessages) chat=\(chatMessages) buzones=\(sandboxMessages) codigos=\(codes)"
        }
    }

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let config = context.application.emaConfig
        let removed = try await purge(database: context.database, now: context.clock.now(),
                                      conversationDays: config.retentionConversationDays, codeDays: config.retentionCodeDays)
        context.logger.info("Datos vencidos eliminados", metadata: ["detalle": .string(removed.description)])
    }

    static func purge(database: any Database, now: Date, conversationDays: Int, codeDays: Int) async throws -> Removed {
        let transcripts = now.addingTimeInterval(-Double(conversationDays) * 86_400)
        let codes = now.addingTimeInterval(-Double(codeDays) * 86_400)
        let sql = database.sql
        var removed = Removed()
        // A conversation an advisor still holds is not a finished transcript.
        let held = try await LiveChat.query(on: database).filter(\.$status ~~ [LiveChat.Status.waiting.rawValue, LiveChat.Status.active.rawValue]).all().map(\.conversationID)
        var conversations = sql.delete(from: Conversation.schema).where("updated_at", .lessThan, SQLBind(transcripts))
        if !held.isEmpty { conversations = conversations.where("id", .notIn, SQLBind.group(held)) }
        removed.conversations = try await conversations.returning("id").all().count
        removed.whatsAppMessages = try await sql.delete(from: WhatsAppInbound.schema).where("received_at", .lessThan, SQLBind(transcripts))
            .where("state", .equal, SQLBind("done")).returning("wamid").all().count
        removed.whatsAppMessages += try await sql.delete(from: WhatsAppOutboxMessage.schema).where("updated_at", .lessThan, SQLBind(transcripts))
            .where("lane", .equal, SQLBind(WhatsAppOutboxMessage.Lane.conversation.rawValue))
            .where("state", .in, SQLBind.group([WhatsAppOutboxMessage.State.sent.rawValue, WhatsAppOutboxMessage.State.failed.rawValue]))
            .returning("id").all().count
        let oldChats = try await LiveChat.query(on: database).filter(\.$status !~ [LiveChat.Status.waiting.rawValue, LiveChat.Status.active.rawValue])
            .filter(\.$requestedAt < transcripts).all().compactMap(\.id)
        if !oldChats.isEmpty {
            removed.chatMessages = try await sql.delete(from: LiveChatMessage.schema).where("chat_id", .in, SQLBind.group(oldChats)).returning("id").all().count
        }
        removed.sandboxMessages = try await sql.delete(from: SandboxMessage.schema).where("created_at", .lessThan, SQLBind(transcripts)).returning("id").all().count
        removed.codes = try await sql.delete(from: VerificationCode.schema).where("issued_at", .lessThan, SQLBind(codes)).returning("id").all().count
        return removed
    }
}
