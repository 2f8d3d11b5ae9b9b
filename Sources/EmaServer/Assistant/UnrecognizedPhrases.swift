import EmaCore
import Fluent
import Foundation
import SQLKit

/// The phrases Ema did not understand, masked (`PhraseMask`), one row per distinct phrase with
/// how many times it was written; staff assign each to an intent or an article, or dismiss it.
enum UnrecognizedPhrases {
    static let schema = "unrecognized_phrases"

    enum Status: String {
        case pendiente, intencion, articulo, descartada

        var title: String {
            switch self {
            case .pendiente: "Pendiente"
            case .intencion: "Enseñada como intención"
            case .articulo: "Enseñada como pregunta de un artículo"
            case .descartada: "Descartada"
            }
        }
    }

    struct Phrase: Equatable {
        let id: UUID
        let text: String
        let count: Int
        let lastSeen: Date
        let status: Status
        let decision: String?
    }

    /// Counts a phrase, masked; the same phrase again (after normalising) adds to its row.
    static func record(_ text: String, at date: Date, on database: any Database) async throws {
        let masked = PhraseMask.mask(text)
        let key = String(TextNormalizer.normalize(masked).prefix(PhraseMask.longest))
        guard !key.isEmpty else { return }
        try await database.sql.raw("""
            INSERT INTO \(ident: schema) (id, phrase, key, count, first_seen, last_seen, status)
            VALUES (\(bind: UUID()), \(bind: masked), \(bind: key), 1, \(bind: date), \(bind: date), \(bind: Status.pendiente.rawValue))
            ON CONFLICT (key) DO UPDATE SET count = \(ident: schema).count + 1, last_seen = excluded.last_seen
            """).run()
    }

    /// The most written phrases first; with `status`, only those; with `ids`, only those.
    static func phrases(status: Status?, ids: [UUID]? = nil, limit: Int = 500, on database: any Database) async throws -> [Phrase] {
        let query = database.sql.select().columns("id", "phrase", "count", "last_seen", "status", "decision").from(schema)
        if let status { query.where("status", .equal, SQLBind(status.rawValue)) }
        if let ids { query.where("id", .in, SQLBind.group(ids)) }
        return try await query.orderBy("count", .descending).orderBy("last_seen", .descending).limit(limit).all().map {
            Phrase(id: try $0.decode(column: "id", as: UUID.self), text: try $0.decode(column: "phrase", as: String.self),
                   count: try $0.decode(column: "count", as: Int.self), lastSeen: try $0.decode(column: "last_seen", as: Date.self),
                   status: Status(rawValue: try $0.decode(column: "status", as: String.self)) ?? .pendiente,
                   decision: try $0.decode(column: "decision", as: String?.self))
        }
    }

    static func phrases(ids: [UUID], on database: any Database) async throws -> [Phrase] {
        guard !ids.isEmpty else { return [] }
        return try await phrases(status: nil, ids: Array(ids.prefix(500)), on: database)
    }

    /// Marks phrases decided: what they were taught as (an intent, an article's slug) and who.
    static func decide(_ ids: [UUID], status: Status, decision: String?, by staff: String, at date: Date, on database: any Database) async throws {
        for id in ids {
            try await database.sql.update(schema)
                .set("status", to: SQLBind(status.rawValue))
                .set("decision", to: SQLBind(decision))
                .set("decided_by", to: SQLBind(staff))
                .set("decided_at", to: SQLBind(date))
                .where("id", .equal, SQLBind(id))
                .run()
        }
    }

    /// Phrases grouped by resemblance (`PhraseGroups`), the most written first.
    static func groups(_ phrases: [Phrase]) -> [[Phrase]] {
        let ordered = phrases.sorted { ($0.count, $1.text) > ($1.count, $0.text) }
        return PhraseGroups.group(ordered.map(\.text)).map { $0.map { ordered[$0] } }
    }
}

struct CreateUnrecognizedPhrases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UnrecognizedPhrases.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("phrase", .string, .required)
            .field("key", .string, .required)
            .field("count", .int, .required)
            .field("first_seen", .datetime, .required)
            .field("last_seen", .datetime, .required)
            .field("status", .string, .required)
            .field("decision", .string)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UnrecognizedPhrases.schema).delete()
    }
}
