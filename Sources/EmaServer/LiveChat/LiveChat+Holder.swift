import Fluent
import Foundation
import SQLKit

/// A holder's chats with advisors: the messages go; the chat's times and rating stay, without
/// the number, for the service indicators.
struct LiveChatHolderRecords: HolderRecords {
    let title = "Chats con asesores"
    static let speakers = ["cliente": "Tú", "ema": "Ema", "sistema": "Aviso"]

    /// The number's chats: left with it, from its WhatsApp conversation, or from a web or kiosk
    /// conversation where it was verified.
    func chats(of holder: Holder, on database: any Database) async throws -> [LiveChat] {
        try await LiveChat.query(on: database).group(.or) { $0.filter(\.$phone == holder.phone).filter(\.$conversationID ~~ holder.conversationIDs) }
            .sort(\.$requestedAt).all()
    }

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        let chats = try await chats(of: holder, on: database)
        guard !chats.isEmpty else { return [] }
        let messages = Dictionary(grouping: try await LiveChatMessage.query(on: database).filter(\.$chatID ~~ chats.compactMap(\.id)).sort(\.$at).all(), by: \.chatID)
        return chats.map { chat in
            .init(
                label: "Chat \(byChannel(chat.channel)) del \(chat.requestedAt.bogotaStamp)\(chat.takenName.map { ", atendido por \($0)" } ?? "")",
                details: (chat.id.flatMap { messages[$0] } ?? []).map { "\(Self.speakers[$0.author] ?? $0.name ?? "Asesor"): \($0.text)" }
            )
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let chats = try await chats(of: holder, on: database)
        guard !chats.isEmpty else { return 0 }
        let ids = try chats.map { try $0.requireID() }
        let sql = database.sql
        let messages = try await sql.delete(from: LiveChatMessage.schema).where("chat_id", .in, SQLBind.group(ids)).returning("id").all().count
        try await sql.update(LiveChat.schema).set("phone", to: SQLLiteral.null).where("id", .in, SQLBind.group(ids)).run()
        // A WhatsApp chat's conversation id is the number itself.
        try await sql.update(LiveChat.schema).set("conversation_id", to: SQLBind(Erased.text))
            .where("conversation_id", .equal, SQLBind("wa:" + holder.phone)).run()
        return messages + chats.count
    }
}

extension LiveChatHolderRecords: ExpiringRecords {
    static let open = [LiveChat.Status.waiting.rawValue, LiveChat.Status.active.rawValue]

    /// The conversations of chats still waiting or with an advisor.
    func heldConversations(on database: any Database) async throws -> [String] {
        try await LiveChat.query(on: database).filter(\.$status ~~ Self.open).all().map(\.conversationID)
    }

    /// The messages of chats that ended and began before the term (the chat's times and rating
    /// stay for the indicators).
    func purge(_ terms: RetentionTerms, on database: any Database) async throws -> RetentionJob.Removed {
        let old = try await LiveChat.query(on: database).filter(\.$status !~ Self.open).filter(\.$requestedAt < terms.transcriptsBefore).all().compactMap(\.id)
        guard !old.isEmpty else { return .init() }
        return .init(chatMessages: try await database.sql.delete(from: LiveChatMessage.schema).where("chat_id", .in, SQLBind.group(old)).returning("id").all().count)
    }
}
