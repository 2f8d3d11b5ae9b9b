import EmaCore
import Foundation
import SQLKit
import Vapor

/// `/backoffice/ayuda` (supervisors, administrators): the knowledge base's articles, each
/// written and edited here — title, the chat's short answer, the questions people ask, the
/// Markdown body, published or draft —, every save kept as a version. Ema uses a save at once.
struct BackOfficeArticlesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let office = routes.grouped("backoffice", "ayuda").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        office.get(use: list)
        office.get("nuevo", use: new)
        office.get(":slug", use: edit)
        office.get(":slug", "versiones", ":version", use: version)
        office.post(":slug", "restaurar", use: restore)
        office.post(use: save)
    }

    struct ListPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let rows: [Row]

        struct Row: Encodable { let slug: String; let title: String; let status: String; let version: Int; let updated: String; let helpful: String }
    }

    struct EditPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let slug: String
        let form: Form
        let published: Bool
        let versions: [Version]
        let message: String?
        let error: Bool

        struct Version: Encodable { let version: Int; let savedAt: String; let savedBy: String; let status: String }
    }

    struct Form: Content {
        var slug: String?
        var titulo: String?
        var respuesta: String?
        var preguntas: String?
        var texto: String?
        var estado: String?
    }

    @Sendable
    func list(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let feedback = try await Articles.feedbackCounts(on: request.db)
        let rows = try await Articles.all(on: request.db).map { row in
            let votes = feedback[row.id]
            return ListPage.Row(slug: row.slug, title: row.title, status: Articles.Status(rawValue: row.status)?.title ?? row.status, version: row.version,
                                updated: SpanishDateTime.format(row.updated_at),
                                helpful: votes.map { "\(SpanishNumber.integer($0.helpful)) de \(SpanishNumber.integer($0.total))" } ?? "—")
        }
        return try await request.view.render("backoffice/ayuda", ListPage(title: "Artículos de ayuda", frame: .init(staff), rows: rows))
    }

    func render(_ request: Request, slug: String, form: Form, message: String? = nil, error: Bool = false, status: HTTPResponseStatus = .ok) async throws -> Response {
        let staff = try request.requireStaff()
        var versions: [EditPage.Version] = []
        if let article = try await Articles.find(slug: slug, on: request.db) {
            versions = try await request.db.sql.raw("""
                SELECT version, saved_at, saved_by, status FROM \(ident: ArticleVersions.schema) WHERE article_id = \(bind: article.id) ORDER BY version DESC LIMIT 50
                """).all().map {
                EditPage.Version(version: try $0.decode(column: "version", as: Int.self), savedAt: SpanishDateTime.format(try $0.decode(column: "saved_at", as: Date.self)),
                                 savedBy: try $0.decode(column: "saved_by", as: String.self),
                                 status: Articles.Status(rawValue: try $0.decode(column: "status", as: String.self))?.title ?? "")
            }
        }
        let page = EditPage(title: slug.isEmpty ? "Nuevo artículo" : "Editar artículo", frame: .init(staff), slug: slug, form: form,
                            published: (form.estado ?? Articles.Status.published.rawValue) == Articles.Status.published.rawValue,
                            versions: versions, message: message, error: error)
        return try await request.view.render("backoffice/ayuda-editar", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func new(request: Request) async throws -> Response {
        try await render(request, slug: "", form: Form())
    }

    @Sendable
    func edit(request: Request) async throws -> Response {
        guard let row = try await Articles.find(slug: request.parameters.get("slug") ?? "", on: request.db) else {
            throw Abort(.notFound, reason: "No encontramos ese artículo.")
        }
        return try await render(request, slug: row.slug, form: Form(slug: row.slug, titulo: row.title, respuesta: row.short_answer, preguntas: row.questions,
                                                                 texto: row.body, estado: row.status),
                                message: ["guardado": "Guardado: Ema ya lo usa.", "restaurado": "Versión restaurada: quedó guardada como la más reciente y Ema ya la usa."][request.query[String.self, at: "aviso"] ?? ""])
    }

    struct VersionPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let slug: String
        let version: Int
        let status: String
        let savedAt: String
        let savedBy: String
        let shortAnswer: String
        let questions: [String]
        let html: String
    }

    /// `/backoffice/ayuda/:slug/versiones/:n`: a version as it was saved, to restore it.
    @Sendable
    func version(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let slug = request.parameters.get("slug") ?? ""
        guard let number = request.parameters.get("version", as: Int.self),
              let saved = try await Articles.version(number, of: slug, on: request.db) else {
            throw Abort(.notFound, reason: "No encontramos esa versión del artículo.")
        }
        return try await request.view.render("backoffice/ayuda-version", VersionPage(
            title: "Versión \(number) de «\(saved.title)»", frame: .init(staff), slug: slug, version: number,
            status: Articles.Status(rawValue: saved.status)?.title ?? saved.status, savedAt: SpanishDateTime.format(saved.saved_at), savedBy: saved.saved_by,
            shortAnswer: saved.short_answer, questions: saved.questions.split(separator: "\n").map(String.init),
            html: ArticleMarkdown.html("## " + saved.title + "\n\n" + saved.body)))
    }

    struct RestoreForm: Content { var version: Int? }

    @Sendable
    func restore(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let slug = request.parameters.get("slug") ?? ""
        guard let number = (try? request.content.decode(RestoreForm.self))?.version,
              try await Articles.restore(number, of: slug, by: staff.email, at: request.application.clock.now(), on: request.db) else {
            throw Abort(.notFound, reason: "No encontramos esa versión del artículo.")
        }
        try await request.application.staffService().audit(staff.accountID, email: staff.email, "articulo_restaurado", subject: slug, detail: String(number))
        return request.redirect(to: "/backoffice/ayuda/\(slug)?aviso=restaurado", redirectType: .normal)
    }

    @Sendable
    func save(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let form = (try? request.content.decode(Form.self)) ?? Form()
        let existing = form.slug.flatMap { $0.isEmpty ? nil : $0 }
        let status = Articles.Status(rawValue: form.estado ?? "") ?? .draft
        do {
            let slug = try await Articles.save(.init(slug: existing, title: form.titulo ?? "", shortAnswer: form.respuesta ?? "", questions: form.preguntas ?? "",
                                                     body: form.texto ?? "", status: status),
                                               by: staff.email, at: request.application.clock.now(), on: request.db)
            try await request.application.staffService().audit(staff.accountID, email: staff.email, "articulo_guardado", subject: slug, detail: status.rawValue)
            return request.redirect(to: "/backoffice/ayuda/\(slug)?aviso=guardado", redirectType: .normal)
        } catch let problem as Articles.Problem {
            return try await render(request, slug: existing ?? "", form: form, message: problem.message, error: true, status: .badRequest)
        }
    }
}
