import EmaCore
import Fluent
import Foundation
import SQLKit

/// A holder's conversations with Ema (the WhatsApp one, and web ones where the number was
/// verified) and the consent ledger. Suppression deletes the conversations and unlinks the
/// consents from the number: the proof of what was authorized stays, nobody's name on it.
struct AssistantHolderRecords: HolderRecords {
    let title = "Conversaciones con Ema y autorizaciones"

    /// The conversations that belong to a number: its WhatsApp one, and any where it was
    /// verified or left (their state names it).
    static func conversations(of phone: String, on database: any Database) async throws -> [Conversation] {
        try await Conversation.query(on: database).group(.or) { group in
            group.filter(\.$id == "wa:" + phone).filter(\.$state, .custom("LIKE"), "%\"\(phone)\"%")
        }.sort(\.$createdAt).all()
    }

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        var entries = try await consents(of: holder, on: database)
        for conversation in holder.conversations {
            guard let state = try? JSONDecoder().decode(ConversationState.self, from: Data(conversation.state.utf8)) else { continue }
            let lines = state.transcript.map { "\($0.who == "cliente" ? "Tú" : "Ema"): \($0.text)" }
            entries.append(.init(
                label: "Conversación \(byChannel(conversation.channel)) del \(conversation.createdAt.bogotaStamp) (último mensaje: \(conversation.updatedAt.bogotaStamp))",
                details: lines.isEmpty ? ["No guardamos los mensajes de esta conversación."] : lines
            ))
        }
        return entries
    }

    /// The consent ledger of a number: what it authorized or refused, which version, when, on
    /// which channel, with the hash of the exact text shown. Consents given before the number
    /// was verified are found through their conversation.
    func consents(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        let records = try await ConsentRecord.query(on: database)
            .group(.or) { $0.filter(\.$phone == holder.phone).filter(\.$conversationID ~~ holder.conversationIDs) }
            .sort(\.$createdAt).all()
        return records.map { record in
            let what = switch ConsentEvidence.Kind(rawValue: record.kind) {
            case .privacy?: "Autorización de tratamiento de datos"
            case .promotions?: "Autorización para promociones y novedades"
            default: "Términos y condiciones"
            }
            return .init(label: "\(what): \(record.granted ? "aceptada" : "no aceptada o retirada")", details: [
                "Versión \(record.version), el \(record.createdAt.bogotaStamp), \(byChannel(record.channel))",
                "Huella del texto mostrado (SHA-256): \(record.textSHA256)",
            ])
        }
    }

    /// After a revocation: the number's other conversations (its WhatsApp one, when the
    /// holder revoked on the web) ask for the authorization again and keep no transcript.
    func withdrawConsent(_ phone: String, keeping conversation: String?, on database: any Database) async throws {
        for row in try await Self.conversations(of: phone, on: database) where row.id != conversation {
            guard let state = try? JSONDecoder().decode(ConversationState.self, from: Data(row.state.utf8)) else { continue }
            row.state = try ChatService.encode(state.startedOver(at: state.lastActivity))
            row.version += 1
            try await row.save(on: database)
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let phone = holder.phone
        var touched = 0
        for row in holder.conversations where row.id != conversation {
            try await row.delete(on: database)
            touched += 1
        }
        let sql = database.sql
        touched += try await sql.update(ConsentRecord.schema).set("phone", to: SQLLiteral.null)
            .where("phone", .equal, SQLBind(phone)).returning("id").all().count
        touched += try await sql.update(ConsentRecord.schema).set("conversation_id", to: SQLBind(Erased.text))
            .where("conversation_id", .equal, SQLBind("wa:" + phone)).returning("id").all().count
        return touched
    }
}

extension AssistantHolderRecords: ExpiringRecords {
    /// Conversations idle past the term, except the ones an advisor still holds; and the phrases
    /// Ema did not understand (masked, yet words of customers) that nobody taught her and nobody
    /// wrote again in that term. Usage counts stay: they hold nothing of anyone.
    func purge(_ terms: RetentionTerms, on database: any Database) async throws -> RetentionJob.Removed {
        let delete = database.sql.delete(from: Conversation.schema).where("updated_at", .lessThan, SQLBind(terms.transcriptsBefore))
        if !terms.held.isEmpty { delete.where("id", .notIn, SQLBind.group(terms.held)) }
        let conversations = try await delete.returning("id").all().count
        let phrases = try await database.sql.delete(from: UnrecognizedPhrases.schema)
            .where("last_seen", .lessThan, SQLBind(terms.transcriptsBefore))
            .where("status", .in, SQLBind.group([UnrecognizedPhrases.Status.pendiente.rawValue, UnrecognizedPhrases.Status.descartada.rawValue]))
            .returning("id").all().count
        return .init(conversations: conversations, phrases: phrases)
    }
}
