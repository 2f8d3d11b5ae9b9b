import EmaCore
import Foundation
import Vapor

/// `/ayuda`: the published articles, searched the way Ema searches them, and each article's page
/// (its Markdown as safe HTML) with «¿Te sirvió?».
struct HelpController: RouteCollection {
    /// «¿Te sirvió?» answers counted per address: more than anyone gives, so a script cannot
    /// steer the counts (the ones above it are thanked and not counted).
    static let votes = RateLimit("ayuda.voto", limit: 20, window: 3_600)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("ayuda", use: list)
        routes.get("ayuda", ":slug", use: article)
        routes.post("ayuda", ":slug", "voto", use: vote)
    }

    struct ListPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let query: String
        let articles: [Item]
        let found: String?

        struct Item: Encodable { let slug: String; let title: String; let short: String }
    }

    struct ArticlePage: Encodable {
        let title: String
        let utility: UtilityProfile
        let slug: String
        let html: String
        let updated: String
        let thanks: Bool
    }

    @Sendable
    func list(request: Request) async throws -> View {
        let query = (request.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
        let (index, rows) = try await request.application.articleCache.current(on: request.db)
        let items: [ListPage.Item]
        var found: String?
        if query.isEmpty {
            items = rows.values.sorted { $0.title < $1.title }.map { .init(slug: $0.slug, title: $0.title, short: $0.short_answer) }
        } else {
            items = index.search(String(query), limit: 8).filter { $0.score >= ArticleSearch.least }.compactMap { rows[$0.slug] }
                .map { .init(slug: $0.slug, title: $0.title, short: $0.short_answer) }
            found = items.isEmpty ? "No encontramos artículos sobre «\(query)». Prueba con otras palabras, o escríbele a Ema." : "Artículos sobre «\(query)»:"
        }
        return try await request.view.render("ayuda", ListPage(title: "Ayuda · \(try request.utility().shortName)", utility: try request.utility(),
                                                               query: String(query), articles: items, found: found))
    }

    @Sendable
    func article(request: Request) async throws -> View {
        let (_, rows) = try await request.application.articleCache.current(on: request.db)
        guard let row = rows[request.parameters.get("slug") ?? ""] else { throw Abort(.notFound, reason: "No encontramos ese artículo.") }
        return try await request.view.render("ayuda-articulo", ArticlePage(
            title: "\(row.title) · \(try request.utility().shortName)", utility: try request.utility(), slug: row.slug,
            html: ArticleMarkdown.html("# " + row.title + "\n\n" + row.body), updated: SpanishDateTime.format(row.updated_at),
            thanks: request.query[String.self, at: "gracias"] != nil
        ))
    }

    struct Vote: Content { var sirvio: String? }

    @Sendable
    func vote(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let slug = request.parameters.get("slug") ?? ""
        let helpful = (try? request.content.decode(Vote.self))?.sirvio == "si"
        guard try await request.application.articleCache.current(on: request.db).rows[slug] != nil else {
            throw Abort(.notFound, reason: "No encontramos ese artículo.")
        }
        if try await request.rateLimits.take(Self.votes, request.clientAddress) == nil {
            _ = try await Articles.feedback(slug: slug, helpful: helpful, channel: "sitio_web", at: request.application.clock.now(), on: request.db)
        }
        return request.redirect(to: "/ayuda/\(slug)?gracias=1#voto", redirectType: .normal)
    }
}

enum ArticleSearch {
    /// The least score a search result shows with.
    static let least = 0.15
}
