import Fluent
import Foundation
import SQLKit

/// Keeps personal data only as long as the privacy policy says: conversation transcripts (Ema's
/// conversations, WhatsApp messages in and out, advisors' chat messages, the sandbox inboxes)
/// after `retentionConversationDays` without activity, one-time-code records after
/// `retentionCodeDays`. Runs every six hours on one node. Each capability deletes its own rows
/// (`ExpiringRecords`, beside its `HolderRecords`); this job only gives them the terms.
enum RetentionJob {
    static let kind = "privacy.retention"
    static let every: TimeInterval = 6 * 3_600

    struct Removed: Equatable, CustomStringConvertible {
        var conversations = 0
        var whatsAppMessages = 0
        var chatMessages = 0
        var sandboxMessages = 0
        var codes = 0
        /// Phrases Ema did not understand, not taught, unseen for the conversations' term.
        var phrases = 0

        var description: String {
            "conversaciones=\(conversations) whatsapp=\(whatsAppMessages) chat=\(chatMessages) buzones=\(sandboxMessages) codigos=\(codes) frases=\(phrases)"
        }

        static func + (left: Removed, right: Removed) -> Removed {
            Removed(conversations: left.conversations + right.conversations, whatsAppMessages: left.whatsAppMessages + right.whatsAppMessages,
                    chatMessages: left.chatMessages + right.chatMessages, sandboxMessages: left.sandboxMessages + right.sandboxMessages,
                    codes: left.codes + right.codes, phrases: left.phrases + right.phrases)
        }
    }

    /// The capabilities that keep records for a term.
    static let expiring: [any ExpiringRecords] = [AssistantHolderRecords(), ChannelHolderRecords(), LiveChatHolderRecords(), CasePendingFilesRetention()]

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let config = context.application.emaConfig
        let removed = try await purge(database: context.database, now: context.clock.now(),
                                      conversationDays: config.retentionConversationDays, codeDays: config.retentionCodeDays)
        context.logger.info("Datos vencidos eliminados", metadata: ["detalle": .string(removed.description)])
    }

    static func purge(database: any Database, now: Date, conversationDays: Int, codeDays: Int) async throws -> Removed {
        let terms = RetentionTerms(
            now: now,
            transcriptsBefore: now.addingTimeInterval(-Double(conversationDays) * 86_400),
            codesBefore: now.addingTimeInterval(-Double(codeDays) * 86_400),
            held: try await LiveChatHolderRecords().heldConversations(on: database)
        )
        var removed = Removed()
        for records in expiring { removed = removed + (try await records.purge(terms, on: database)) }
        return removed
    }
}

/// The privacy policy's terms at one run.
struct RetentionTerms: Sendable {
    let now: Date
    /// Transcripts without activity since before this go.
    let transcriptsBefore: Date
    /// One-time-code records issued before this go.
    let codesBefore: Date
    /// Conversations an advisor still holds: not finished transcripts, whatever their age.
    let held: [String]
}

/// What a capability keeps only for a term: it deletes its own expired rows.
protocol ExpiringRecords: Sendable {
    func purge(_ terms: RetentionTerms, on database: any Database) async throws -> RetentionJob.Removed
}
