import EmaCore
import Fluent
import Foundation
import Vapor

/// `/backoffice/ensenar` (supervisors, administrators): the phrases Ema did not understand,
/// masked and grouped by resemblance with how often they were written. Staff teach a group as
/// an intent (Ema retrains on every node at its next message, and the page shows the accuracy
/// on `heldout.tsv` before and after, a drop flagged and undoable), add it to an article's
/// questions (the knowledge base uses it at once), or dismiss it. Every decision is audited.
struct TeachingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let office = routes.grouped("backoffice", "ensenar").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        office.get(use: page)
        office.post(use: decide)
        office.post("deshacer", use: undo)
    }

    struct Page: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let groups: [Group]
        let intents: [Option]
        let articles: [Option]
        let changes: [ChangeRow]
        let message: String?
        let error: Bool

        struct Group: Encodable { let number: Int; let total: String; let phrases: [Phrase] }
        struct Phrase: Encodable { let id: String; let text: String; let count: String; let lastSeen: String }
        struct Option: Encodable { let value: String; let title: String }
        struct ChangeRow: Encodable {
            let id: String
            let intent: String
            let phrases: String
            let by: String
            let at: String
            let before: String
            let after: String
            let lowers: Bool
            let withdrawn: Bool
        }
    }

    struct Form: Content {
        var frases: [String]?
        var accion: String?
        var intencion: String?
        var articulo: String?
        var cambio: String?
    }

    @Sendable
    func page(request: Request) async throws -> View {
        try await render(request, message: request.query[String.self, at: "aviso"].flatMap(Self.notices.index(forKey:)).map { Self.notices[$0].value })
    }

    static let notices = [
        "intencion": "Listo: Ema ya entiende esas frases, en todos los servidores, desde su próximo mensaje.",
        "articulo": "Listo: las frases quedaron como preguntas del artículo y Ema ya responde con él.",
        "descartada": "Frases descartadas.",
        "deshecho": "Cambio deshecho: Ema volvió a entender como antes.",
    ]

    func render(_ request: Request, message: String? = nil, error: Bool = false) async throws -> View {
        let staff = try request.requireStaff()
        let pending = try await UnrecognizedPhrases.phrases(status: .pendiente, on: request.db)
        let groups = UnrecognizedPhrases.groups(pending).prefix(60).enumerated().map { index, group in
            let total = group.reduce(0) { $0 + $1.count }
            return Page.Group(number: index + 1, total: total == 1 ? "escrita 1 vez" : "escritas \(SpanishNumber.integer(total)) veces", phrases: group.map {
                Page.Phrase(id: $0.id.uuidString, text: $0.text, count: SpanishNumber.integer($0.count), lastSeen: SpanishDateTime.format($0.lastSeen))
            })
        }
        let intents = Intent.allCases.filter { $0 != .fueraDeAlcance }.map { Page.Option(value: $0.rawValue, title: $0.title) }
            .sorted { $0.title.localizedCompare($1.title) == .orderedAscending }
        let articles = try await Articles.all(on: request.db).map { Page.Option(value: $0.slug, title: $0.title) }
        let changes = try await TaughtExamples.changes(on: request.db).map { change in
            Page.ChangeRow(id: change.id.uuidString, intent: change.intent.title, phrases: change.phrases.map { "«\($0)»" }.joined(separator: ", "),
                           by: change.by, at: SpanishDateTime.format(change.at), before: SpanishNumber.percent(change.accuracyBefore),
                           after: SpanishNumber.percent(change.accuracyAfter), lowers: change.lowersAccuracy, withdrawn: change.withdrawnAt != nil)
        }
        return try await request.view.render("backoffice/ensenar", Page(
            title: "Enseñar a Ema", frame: .init(staff), groups: Array(groups), intents: intents, articles: articles, changes: changes,
            message: message, error: error))
    }

    @Sendable
    func decide(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let form = (try? request.content.decode(Form.self)) ?? Form()
        let ids = (form.frases ?? []).compactMap(UUID.init(uuidString:))
        let phrases = try await UnrecognizedPhrases.phrases(ids: ids, on: request.db).filter { $0.status == .pendiente }
        guard !phrases.isEmpty else {
            return try await render(request, message: "Marca al menos una frase pendiente.", error: true).encodeResponse(status: .badRequest, for: request)
        }
        let now = request.application.clock.now()
        let audit = request.application.staffService()
        switch form.accion {
        case "intencion":
            guard let intent = form.intencion.flatMap(Intent.init(rawValue:)), intent != .fueraDeAlcance else {
                return try await render(request, message: "Elige la intención que quieren decir esas frases.", error: true).encodeResponse(status: .badRequest, for: request)
            }
            let change = try await Teaching(application: request.application).teach(phrases, as: intent, by: staff.email, at: now, on: request.db)
            try await audit.audit(staff.accountID, email: staff.email, "ema_ensenada", subject: intent.rawValue, detail: change.uuidString)
        case "articulo":
            guard let slug = form.articulo, !slug.isEmpty,
                  try await Articles.addQuestions(phrases.map(\.text), to: slug, by: staff.email, at: now, on: request.db) else {
                return try await render(request, message: "Elige el artículo que responde esas frases.", error: true).encodeResponse(status: .badRequest, for: request)
            }
            try await UnrecognizedPhrases.decide(phrases.map(\.id), status: .articulo, decision: slug, by: staff.email, at: now, on: request.db)
            try await audit.audit(staff.accountID, email: staff.email, "ema_ensenada_articulo", subject: slug, detail: String(phrases.count))
        case "descartar":
            try await UnrecognizedPhrases.decide(phrases.map(\.id), status: .descartada, decision: nil, by: staff.email, at: now, on: request.db)
            try await audit.audit(staff.accountID, email: staff.email, "frases_descartadas", subject: String(phrases.count), detail: "")
        default:
            return try await render(request, message: "Elige qué hacer con las frases.", error: true).encodeResponse(status: .badRequest, for: request)
        }
        let notice = form.accion == "descartar" ? "descartada" : form.accion ?? ""
        return request.redirect(to: "/backoffice/ensenar?aviso=\(notice)", redirectType: .normal)
    }

    @Sendable
    func undo(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let form = (try? request.content.decode(Form.self)) ?? Form()
        guard let change = form.cambio.flatMap(UUID.init(uuidString:)) else { throw Abort(.badRequest, reason: "Falta el cambio a deshacer.") }
        let now = request.application.clock.now()
        try await request.db.writeTransaction { tx in
            let phrases = try await TaughtExamples.withdraw(change: change, by: staff.email, at: now, on: tx)
            try await UnrecognizedPhrases.decide(phrases, status: .pendiente, decision: nil, by: staff.email, at: now, on: tx)
        }
        try await request.application.staffService().audit(staff.accountID, email: staff.email, "ema_ensenanza_deshecha", subject: change.uuidString, detail: "")
        return request.redirect(to: "/backoffice/ensenar?aviso=deshecho", redirectType: .normal)
    }
}

/// Teaching Ema an intent: the accuracy on the held-out phrases with the examples in force and
/// with the new ones, then the examples and the phrases' decision in one transaction.
struct Teaching {
    let application: Application

    func teach(_ phrases: [UnrecognizedPhrases.Phrase], as intent: Intent, by staff: String, at date: Date, on database: any Database) async throws -> UUID {
        let heldOut = try application.heldOutExamples()
        let models = application.intentModels
        let current = try await models.current(on: database)
        let taught = try await TaughtExamples.active(on: database)
        let added = phrases.map { IntentExample(intent: intent, text: $0.text) }
        let retrained = IntentClassifier(examples: models.shipped + taught + added)
        let before = IntentEvaluation(classifier: current, examples: heldOut).accuracy
        let after = IntentEvaluation(classifier: retrained, examples: heldOut).accuracy
        let change = UUID()
        try await database.writeTransaction { tx in
            try await TaughtExamples.add(phrases.map(\.text), as: intent, change: change, phrases: phrases.map(\.id), by: staff, at: date,
                                         accuracy: (before, after), on: tx)
            try await UnrecognizedPhrases.decide(phrases.map(\.id), status: .intencion, decision: intent.rawValue, by: staff, at: date, on: tx)
        }
        return change
    }
}
