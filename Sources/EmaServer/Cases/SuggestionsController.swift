import EmaCore
import Fluent
import Foundation
import Vapor

/// Suggestions in the back office (issue 23): each area's list (`/backoffice/sugerencias`), and
/// on a suggestion's page the area it goes to and whether it led to a change. The answer itself
/// is the case's answer (the customer is contacted on their channel).
struct SuggestionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let desk = routes.grouped("backoffice").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        desk.get("sugerencias", use: list)
        desk.post("pqr", ":radicado", "remitir", use: route)
        desk.post("pqr", ":radicado", "cambio", use: change)
    }

    /// The suggestion's box on its case page.
    struct Panel: Encodable {
        let area: String
        let areas: [SelectOption]
        let ledToChange: Bool?
        let changeNote: String
    }

    static func panel(_ row: PQRCase, areas: [SuggestionArea]) -> Panel? {
        guard row.typeValue == .sugerencia else { return nil }
        return Panel(
            area: areas.first { $0.id == row.area }?.name ?? "Sin remitir todavía",
            areas: areas.map { SelectOption(value: $0.id, label: $0.name, selected: $0.id == row.area) },
            ledToChange: row.ledToChange, changeNote: row.changeNote ?? ""
        )
    }

    struct RouteForm: Content { var area: String? }
    struct ChangeForm: Content { var cambio: String?; var nota: String? }

    @Sendable
    func route(request: Request) async throws -> Response {
        let form = try request.content.decode(RouteForm.self)
        return try await act(request) { row, staff in
            try await request.application.caseService().route(row, to: form.area ?? "", by: staff.email)
            return .routed
        }
    }

    @Sendable
    func change(request: Request) async throws -> Response {
        let form = try request.content.decode(ChangeForm.self)
        return try await act(request) { row, staff in
            guard let led = ["si": true, "no": false][form.cambio ?? ""] else { throw CaseService.SuggestionError.changeChoice }
            try await request.application.caseService().recordChange(row, ledToChange: led, note: form.nota ?? "", by: staff.email)
            return .changeRecorded
        }
    }

    func act(_ request: Request, _ body: (PQRCase, StaffContext) async throws -> BackOfficeCasesController.Done) async throws -> Response {
        let desk = BackOfficeCasesController()
        let (row, staff) = try await desk.load(request)
        do {
            let done = try await body(row, staff)
            return request.redirect(to: "/backoffice/pqr/\(row.radicado)?hecho=\(done.rawValue)", redirectType: .normal)
        } catch let error as CaseService.SuggestionError {
            return try await desk.render(request, row, staff, message: error.reason, status: error.status)
        }
    }

    // MARK: The areas' lists

    struct Line: Encodable {
        let radicado: String
        let filed: String
        let area: String
        let status: String
        let change: String
        let summary: String
    }

    struct AreaCount: Encodable {
        let name: String
        let received: String
        let pending: String
        let answered: String
        let changes: String
    }

    struct ListPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let areas: [SelectOption]
        let states: [SelectOption]
        let counts: [AreaCount]
        let lines: [Line]
        let limited: Bool
    }

    static let shown = 200

    /// `GET /backoffice/sugerencias?area=…&estado=pendientes|respondidas|todas`: the most recent
    /// first, with each area's counts.
    @Sendable
    func list(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let areas = request.application.utilityProfile?.suggestionAreas ?? []
        let chosen = request.query[String.self, at: "area"].flatMap { id in areas.contains { $0.id == id } || id == "sin_remitir" ? id : nil }
        let state = request.query[String.self, at: "estado"].flatMap { ["pendientes", "respondidas", "todas"].contains($0) ? $0 : nil } ?? "pendientes"
        var query = PQRCase.query(on: request.db).filter(\.$type == CaseType.sugerencia.rawValue)
        if chosen == "sin_remitir" { query = query.filter(\.$area == nil) } else if let chosen { query = query.filter(\.$area == chosen) }
        switch state {
        case "pendientes": query = query.filter(\.$status ~~ [CaseStatus.radicado.rawValue, CaseStatus.enTramite.rawValue])
        case "respondidas": query = query.filter(\.$status !~ [CaseStatus.radicado.rawValue, CaseStatus.enTramite.rawValue])
        default: break
        }
        let rows = try await query.sort(\.$filedAt, .descending).limit(Self.shown + 1).all()
        let name = Dictionary(areas.map { ($0.id, $0.name) }) { first, _ in first }
        let month = BillingPeriod(containing: request.application.clock.today)
        let (from, to) = CaseStatistics.dates(of: month)
        let facts = try await CaseIndicatorFacts.suggestions(from: from, to: to, on: request.db)
        let counts = facts.map { fact in
            AreaCount(name: fact.area.flatMap { name[$0] } ?? Indicators.notRouted, received: SpanishNumber.integer(fact.received),
                      pending: SpanishNumber.integer(fact.received - fact.answered), answered: SpanishNumber.integer(fact.answered), changes: SpanishNumber.integer(fact.changes))
        }.sorted { $0.name.compare($1.name, locale: Locale(identifier: "es_CO")) == .orderedAscending }
        return try await request.view.render("backoffice/sugerencias", ListPage(
            title: "Sugerencias", frame: .init(staff),
            areas: [SelectOption(value: "", label: "Todas las áreas", selected: chosen == nil)]
                + areas.map { SelectOption(value: $0.id, label: $0.name, selected: $0.id == chosen) }
                + [SelectOption(value: "sin_remitir", label: "Sin remitir todavía", selected: chosen == "sin_remitir")],
            states: [("pendientes", "Por responder"), ("respondidas", "Respondidas"), ("todas", "Todas")].map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == state) },
            counts: counts,
            lines: rows.prefix(Self.shown).map { row in
                Line(radicado: row.radicado, filed: PQRWebController.dateTime(row.filedAt), area: row.area.flatMap { name[$0] } ?? "Sin remitir todavía",
                     status: row.statusValue.title, change: row.ledToChange == true ? "Sí" : (row.ledToChange == false ? "No" : "—"),
                     summary: String(row.description.prefix(140)) + (row.description.count > 140 ? "…" : ""))
            },
            limited: rows.count > Self.shown
        ))
    }
}
