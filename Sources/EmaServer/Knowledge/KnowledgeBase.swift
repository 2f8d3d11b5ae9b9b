import EmaCore
import Fluent
import Foundation
import Ink
import SQLKit
import Vapor

/// An article's Markdown as safe HTML (Ink): no HTML of the author's gets through (`<` and `"`
/// are escaped before parsing, so a tag or an attribute cannot be written), and links and images
/// may only point to web, e-mail, phone or the site's own pages.
enum ArticleMarkdown {
    static func html(_ markdown: String) -> String {
        let source = markdown.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        let html = MarkdownParser().html(from: source)
        return safeURLs(html)
    }

    static let allowed = ["http://", "https://", "mailto:", "tel:", "/", "#"]

    /// Every `href` and `src` that is not an allowed kind of address becomes `#`.
    static func safeURLs(_ html: String) -> String {
        var result = ""
        var rest = Substring(html)
        while let match = rest.firstMatch(of: /(href|src)="([^"]*)"/) {
            result += rest[..<match.range.lowerBound]
            let url = String(match.output.2)
            let safe = allowed.contains { url.lowercased().hasPrefix($0) } && !url.hasPrefix("//") ? url : "#"
            result += "\(match.output.1)=\"\(safe)\""
            rest = rest[match.range.upperBound...]
        }
        return result + rest
    }
}

/// The published articles and their search index, for Ema and `/ayuda`. Each node keeps the
/// index while no article changed: a stamp (how many articles and the sum of their versions) is
/// read on every search, so a save on any node is used at once everywhere.
actor ArticleCache {
    private var stamp = ""
    private var index = ArticleIndex([])
    private var rows: [String: Articles.Row] = [:]

    func current(on database: any Database) async throws -> (index: ArticleIndex, rows: [String: Articles.Row]) {
        let row = try await database.sql.raw("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS v FROM \(ident: Articles.schema)").first()
        let now = "\(try row?.decode(column: "n", as: Int.self) ?? 0)/\(try row?.decode(column: "v", as: Int.self) ?? 0)"
        if now != stamp {
            let published = try await Articles.published(on: database)
            index = ArticleIndex(published.map(\.entry))
            rows = Dictionary(uniqueKeysWithValues: published.map { ($0.slug, $0) })
            stamp = now
        }
        return (index, rows)
    }
}

extension Application {
    private struct ArticleCacheKey: StorageKey { typealias Value = ArticleCache }

    var articleCache: ArticleCache {
        if let cache = storage[ArticleCacheKey.self] { return cache }
        let cache = ArticleCache()
        storage[ArticleCacheKey.self] = cache
        return cache
    }
}

/// What the other capabilities ask of the knowledge base: the article that answers a question.
struct KnowledgeBase {
    let database: any Database
    let cache: ArticleCache?
    let publicURL: String

    /// The best published article for `text`, with its score; nil when none matches at all.
    func answer(_ text: String) async throws -> ArticleAnswer? {
        guard let cache else { return nil }
        let (index, rows) = try await cache.current(on: database)
        guard let match = index.search(text, limit: 1).first, let row = rows[match.slug] else { return nil }
        return ArticleAnswer(slug: row.slug, title: row.title, shortAnswer: row.short_answer, url: "\(publicURL)/ayuda/\(row.slug)", score: match.score)
    }
}
