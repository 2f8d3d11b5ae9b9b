import EmaCore
import Fluent
import Foundation
import SQLKit

/// The utility's knowledge base: articles its care team writes (title, a short answer for the
/// chat, the questions people ask, a Markdown body), published or draft, every save kept as a
/// version; and what customers said of each answer («¿Te sirvió?»).
enum Articles {
    static let schema = "articles"

    enum Status: String, CaseIterable {
        case published = "publicado"
        case draft = "borrador"

        var title: String { self == .published ? "Publicado" : "Borrador" }
    }

    struct Row: Decodable, Sendable {
        let id: UUID
        let slug: String
        let title: String
        let short_answer: String
        let questions: String
        let body: String
        let status: String
        let version: Int
        let updated_at: Date
        let updated_by: String

        var questionList: [String] { questions.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        var entry: ArticleEntry { ArticleEntry(slug: slug, title: title, questions: questionList, body: body) }
    }

    /// What an editor sends.
    struct Draft: Sendable {
        var slug: String?
        var title: String
        var shortAnswer: String
        var questions: String
        var body: String
        var status: Status
    }

    enum Problem: Error, Equatable {
        case title, shortAnswer, body, questions, slugTaken

        var message: String {
            switch self {
            case .title: "Escribe el título (entre 5 y 120 caracteres)."
            case .shortAnswer: "Escribe la respuesta corta para el chat (entre 20 y 600 caracteres): es lo que Ema dice en WhatsApp."
            case .body: "Escribe el artículo (entre 20 y 20.000 caracteres)."
            case .questions: "Escribe al menos una pregunta como la haría un cliente, una por línea."
            case .slugTaken: "Ya hay otro artículo con ese título: cámbialo un poco."
            }
        }
    }

    static let columns: SQLQueryString = "id, slug, title, short_answer, questions, body, status, version, updated_at, updated_by"

    static func all(on database: any Database) async throws -> [Row] {
        try await database.sql.raw("SELECT \(columns) FROM \(ident: schema) ORDER BY title").all(decoding: Row.self)
    }

    static func published(on database: any Database) async throws -> [Row] {
        try await database.sql.raw("SELECT \(columns) FROM \(ident: schema) WHERE status = 'publicado' ORDER BY title").all(decoding: Row.self)
    }

    static func find(slug: String, on database: any Database) async throws -> Row? {
        try await database.sql.raw("SELECT \(columns) FROM \(ident: schema) WHERE slug = \(bind: slug)").first(decoding: Row.self)
    }

    /// «¿Por qué llegó alta mi factura?» → `por-que-llego-alta-mi-factura`.
    static func slug(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        let words = folded.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        return String(words.joined(separator: "-").prefix(80))
    }

    /// Saves an article (new when `draft.slug` is nil) and its version, in one transaction;
    /// returns its slug.
    static func save(_ draft: Draft, by editor: String, at now: Date, on database: any Database) async throws -> String {
        let title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let short = draft.shortAnswer.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = draft.body.trimmingCharacters(in: .whitespacesAndNewlines)
        let questions = draft.questions.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard (5...120).contains(title.count) else { throw Problem.title }
        guard (20...600).contains(short.count) else { throw Problem.shortAnswer }
        guard (20...20_000).contains(body.count) else { throw Problem.body }
        guard !questions.isEmpty else { throw Problem.questions }
        let joined = questions.joined(separator: "\n")
        return try await database.writeTransaction { tx in
            let slug: String
            let id: UUID
            let version: Int
            let existing: Row? = if let slug = draft.slug { try await find(slug: slug, on: tx) } else { nil }
            if let existing {
                (slug, id, version) = (existing.slug, existing.id, existing.version + 1)
                try await tx.sql.update(schema).set("title", to: SQLBind(title)).set("short_answer", to: SQLBind(short))
                    .set("questions", to: SQLBind(joined)).set("body", to: SQLBind(body)).set("status", to: SQLBind(draft.status.rawValue))
                    .set("version", to: SQLBind(version)).set("updated_at", to: SQLBind(now)).set("updated_by", to: SQLBind(editor))
                    .where("id", .equal, SQLBind(id)).run()
            } else {
                (slug, id, version) = (Self.slug(title), UUID(), 1)
                guard !slug.isEmpty, try await find(slug: slug, on: tx) == nil else { throw Problem.slugTaken }
                try await tx.sql.insert(into: schema)
                    .columns("id", "slug", "title", "short_answer", "questions", "body", "status", "version", "updated_at", "updated_by")
                    .values(SQLBind(id), SQLBind(slug), SQLBind(title), SQLBind(short), SQLBind(joined), SQLBind(body),
                            SQLBind(draft.status.rawValue), SQLBind(version), SQLBind(now), SQLBind(editor)).run()
            }
            try await tx.sql.insert(into: ArticleVersions.schema)
                .columns("id", "article_id", "version", "title", "short_answer", "questions", "body", "status", "saved_at", "saved_by")
                .values(SQLBind(UUID()), SQLBind(id), SQLBind(version), SQLBind(title), SQLBind(short), SQLBind(joined), SQLBind(body),
                        SQLBind(draft.status.rawValue), SQLBind(now), SQLBind(editor)).run()
            return slug
        }
    }

    /// Phrases staff taught as an article's questions: a new version with them added (those it
    /// had already are not repeated). False when the article does not exist.
    static func addQuestions(_ phrases: [String], to slug: String, by editor: String, at now: Date, on database: any Database) async throws -> Bool {
        guard let row = try await find(slug: slug, on: database) else { return false }
        let known = Set(row.questionList.map(TextNormalizer.normalize))
        let new = phrases.filter { !known.contains(TextNormalizer.normalize($0)) }
        guard !new.isEmpty else { return true }
        _ = try await save(Draft(slug: row.slug, title: row.title, shortAnswer: row.short_answer, questions: (row.questionList + new).joined(separator: "\n"),
                                 body: row.body, status: Status(rawValue: row.status) ?? .draft),
                           by: editor, at: now, on: database)
        return true
    }

    /// One saved version of an article, as it was.
    struct SavedVersion: Decodable, Sendable {
        let version: Int
        let title: String
        let short_answer: String
        let questions: String
        let body: String
        let status: String
        let saved_at: Date
        let saved_by: String
    }

    static func version(_ number: Int, of slug: String, on database: any Database) async throws -> SavedVersion? {
        guard let article = try await find(slug: slug, on: database) else { return nil }
        return try await database.sql.raw("""
            SELECT version, title, short_answer, questions, body, status, saved_at, saved_by FROM \(ident: ArticleVersions.schema)
            WHERE article_id = \(bind: article.id) AND version = \(bind: number)
            """).first(decoding: SavedVersion.self)
    }

    /// Brings an earlier version back: saved again as the newest, so nothing is lost.
    static func restore(_ number: Int, of slug: String, by editor: String, at now: Date, on database: any Database) async throws -> Bool {
        guard let old = try await version(number, of: slug, on: database) else { return false }
        _ = try await save(Draft(slug: slug, title: old.title, shortAnswer: old.short_answer, questions: old.questions, body: old.body,
                                 status: Status(rawValue: old.status) ?? .draft), by: editor, at: now, on: database)
        return true
    }

    /// A customer's «¿Te sirvió?» about an article.
    static func feedback(slug: String, helpful: Bool, channel: String, at now: Date, on database: any Database) async throws -> Bool {
        guard let article = try await find(slug: slug, on: database) else { return false }
        try await database.sql.insert(into: ArticleFeedback.schema).columns("id", "article_id", "helpful", "channel", "at")
            .values(SQLBind(UUID()), SQLBind(article.id), SQLBind(helpful), SQLBind(channel), SQLBind(now)).run()
        return true
    }

    /// Each published article's «¿Te sirvió?» answers: helpful and total.
    static func feedbackCounts(on database: any Database) async throws -> [UUID: (helpful: Int, total: Int)] {
        var counts: [UUID: (helpful: Int, total: Int)] = [:]
        for row in try await database.sql.raw("""
            SELECT article_id, CAST(SUM(CASE WHEN helpful THEN 1 ELSE 0 END) AS BIGINT) AS helpful, COUNT(*) AS total FROM \(ident: ArticleFeedback.schema) GROUP BY article_id
            """).all() {
            counts[try row.decode(column: "article_id", as: UUID.self)] = (try row.decode(column: "helpful", as: Int.self), try row.decode(column: "total", as: Int.self))
        }
        return counts
    }
}

/// Every save of an article, for its history.
enum ArticleVersions {
    static let schema = "article_versions"
}

/// «¿Te sirvió?» answers.
enum ArticleFeedback {
    static let schema = "article_feedback"
}

struct CreateArticles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Articles.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("short_answer", .string, .required)
            .field("questions", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .string, .required)
            .unique(on: "slug")
            .create()
        try await database.schema(ArticleVersions.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("article_id", .uuid, .required, .references(Articles.schema, "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("title", .string, .required)
            .field("short_answer", .string, .required)
            .field("questions", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("saved_at", .datetime, .required)
            .field("saved_by", .string, .required)
            .unique(on: "article_id", "version")
            .create()
        try await database.schema(ArticleFeedback.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("article_id", .uuid, .required, .references(Articles.schema, "id", onDelete: .cascade))
            .field("helpful", .bool, .required)
            .field("channel", .string, .required)
            .field("at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ArticleFeedback.schema).delete()
        try await database.schema(ArticleVersions.schema).delete()
        try await database.schema(Articles.schema).delete()
    }
}
