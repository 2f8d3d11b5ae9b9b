import EmaCore
import Fluent
import FluentSQL
import Foundation
import Vapor

/// The desk's queues: a tab per queue with how many cases it holds, a search (a radicado, a
/// contract or mobile number, a name) inside the chosen queue, and pages of 50.
extension BackOfficeCasesController {
    enum Queue: String, CaseIterable {
        case mias, sinAsignar = "sin_asignar", todas, vencidas, respondidas

        var title: String {
            switch self {
            case .mias: "Mis casos"
            case .sinAsignar: "Sin asignar"
            case .todas: "Todas las abiertas"
            case .vencidas: "Vencidas"
            case .respondidas: "Respondidas"
            }
        }
    }

    struct Row: Encodable {
        let radicado: String
        let type: String
        let causal: String
        let channel: String
        let filedOn: String
        let dueOn: String
        let assigned: String
        let status: String
        let flag: String?
        let flagClass: String
        let priority: Bool
    }

    struct QueuePage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let views: [Tab]
        let rows: [Row]
        let page: Int
        let hasNext: Bool
        let view: String
        /// What was searched, as typed (empty when nothing), and as a link's parameter.
        let search: String
        let searchParam: String
        /// How many cases the queue (and the search) holds, in words.
        let total: String

        struct Tab: Encodable { let id: String; let title: String; let count: String; let active: Bool }
    }

    static let pageSize = 50

    /// The cases of a queue as this staff member sees it.
    func cases(in queue: Queue, for staff: StaffContext, today: CivilDate, on database: any Database) -> QueryBuilder<PQRCase> {
        let seesAll = staff.role != .agente
        let open = [CaseStatus.radicado.rawValue, CaseStatus.enTramite.rawValue]
        let query = PQRCase.query(on: database)
        switch queue {
        case .mias: return query.filter(\.$assignedTo == staff.accountID).filter(\.$status ~~ open)
        case .sinAsignar: return query.filter(\.$assignedTo == nil).filter(\.$status ~~ open)
        case .todas: return query.filter(\.$status ~~ open)
        case .vencidas:
            query.filter(\.$status ~~ open).filter(.sql(embed: "COALESCE(extended_due_on, due_on) < \(bind: today.description)"))
            if !seesAll { query.group(.or) { $0.filter(\.$assignedTo == staff.accountID).filter(\.$assignedTo == nil) } }
            return query
        case .respondidas:
            query.filter(\.$status ~~ [CaseStatus.respondido.rawValue, CaseStatus.cerrado.rawValue])
            if !seesAll { query.filter(\.$assignedTo == staff.accountID) }
            return query
        }
    }

    /// Narrows a queue to what was typed: a radicado; a contract or a mobile number; or words of
    /// the customer's name (any case, accents as typed).
    static func search(_ typed: String, in query: QueryBuilder<PQRCase>) -> QueryBuilder<PQRCase> {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return query }
        if let radicado = Radicado.parse(text), text.contains("-") || text.count > 10 { return query.filter(\.$radicado == radicado.text) }
        if let phone = ColombianMobile.e164(text) { return query.filter(\.$phone == phone) }
        let digits = text.filter(\.isNumber)
        if !digits.isEmpty, digits.count == text.filter({ !$0.isWhitespace }).count { return query.filter(\.$contractNumber == digits) }
        for word in text.lowercased().split(separator: " ").prefix(4) {
            query.filter(.sql(embed: "LOWER(name) LIKE \(bind: "%" + word.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%")"))
        }
        return query
    }

    static func casesCount(_ count: Int) -> String {
        count == 1 ? "1 caso" : "\(SpanishNumber.integer(count)) casos"
    }

    @Sendable
    func queue(request: Request) async throws -> Vapor.View {
        let staff = try request.requireStaff()
        let available: [Queue] = staff.role != .agente ? Queue.allCases : [.mias, .sinAsignar, .vencidas, .respondidas]
        let chosen = (try? request.query.get(String.self, at: "vista")).flatMap(Queue.init(rawValue:)).flatMap { available.contains($0) ? $0 : nil } ?? .mias
        let page = max(1, min(10_000, (try? request.query.get(Int.self, at: "pagina")) ?? 1))
        let search = String(((try? request.query.get(String.self, at: "buscar")) ?? "").prefix(80))
        let today = request.application.clock.today
        var counts: [Queue: Int] = [:]
        for queue in available { counts[queue] = try await cases(in: queue, for: staff, today: today, on: request.db).count() }
        let query = Self.search(search, in: cases(in: chosen, for: staff, today: today, on: request.db))
        let total = search.isEmpty ? counts[chosen] ?? 0 : try await query.copy().count()
        if chosen == .respondidas {
            query.sort(\.$answeredAt, .descending)
        } else {
            query.sort(\.$priority, .descending).sort(.sql(unsafeRaw: "COALESCE(extended_due_on, due_on)")).sort(\.$sequence)
        }
        let rows = try await query.range(((page - 1) * Self.pageSize)..<(page * Self.pageSize + 1)).all()
        let soon = CaseService(database: request.db, clock: request.application.clock).calendar.adding(businessDays: CaseService.alertBusinessDays, to: today)
        let shown = rows.prefix(Self.pageSize).map { row -> Row in
            let due = CivilDate(row.effectiveDue) ?? today
            var flag: String?
            var flagClass = ""
            if row.positiveSilence { flag = "Silencio positivo"; flagClass = "vencida" }
            else if row.statusValue.isOpen, due < today { flag = "Vencida"; flagClass = "vencida" }
            else if row.statusValue.isOpen, !(soon < due) { flag = "Vence pronto"; flagClass = "alerta" }
            return Row(
                radicado: row.radicado, type: row.typeTitle, causal: CaseCatalog.causal(row.causal)?.title ?? "Sin clasificar",
                channel: row.channelValue.title, filedOn: CivilDate(row.filedOn)?.displayName ?? row.filedOn,
                dueOn: (CivilDate(row.effectiveDue)?.displayName ?? row.effectiveDue) + (row.extendedDueOn != nil ? " (prorrogada)" : ""),
                assigned: row.assignedName ?? "—", status: row.statusValue.title, flag: flag, flagClass: flagClass, priority: row.priority
            )
        }
        return try await request.view.render("backoffice/cases", QueuePage(
            title: "PQR", frame: .init(staff),
            views: available.map { .init(id: $0.rawValue, title: $0.title, count: SpanishNumber.integer(counts[$0] ?? 0), active: $0 == chosen) },
            rows: Array(shown), page: page, hasNext: rows.count > Self.pageSize, view: chosen.rawValue, search: search,
            searchParam: search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "",
            total: Self.casesCount(total)
        ))
    }
}
