import EmaCore
import Foundation
import Vapor

/// `/backoffice/uso-de-ema` (supervisors, administrators): how Ema is used, by day, channel and
/// flow — conversations, messages, intents understood, what she did not understand, handoffs
/// to an advisor, containment, each flow's funnel, the help articles she answered with and
/// their «¿Te sirvió?» — as charts drawn on the server, a table and a CSV
/// (`/backoffice/uso-de-ema.csv`). Counts only, kept beyond the conversations' retention.
struct UsageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let office = routes.grouped("backoffice").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        office.get("uso-de-ema", use: page)
        office.get("uso-de-ema.csv", use: csv)
    }

    struct Filters {
        let from: CivilDate
        let to: CivilDate
        let channel: String?
        let problem: String?

        /// `desde`, `hasta` (YYYY-MM-DD) and `canal`; by default the last 14 days to today.
        init(_ request: Request) {
            let today = request.application.clock.today
            var problem: String?
            var from = request.query[String.self, at: "desde"].flatMap { CivilDate($0) } ?? today.adding(days: -13)
            var to = request.query[String.self, at: "hasta"].flatMap { CivilDate($0) } ?? today
            if to < from { (from, to) = (to, from) }
            if to.dayNumber - from.dayNumber > 366 {
                from = to.adding(days: -366)
                problem = "Se muestra un año como máximo: desde el \(from.displayName)."
            }
            self.from = from
            self.to = to
            self.problem = problem
            let channel = request.query[String.self, at: "canal"] ?? ""
            self.channel = EmaCore.Channel(rawValue: channel)?.rawValue
        }
    }

    struct Page: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let from: String
        let to: String
        let period: String
        let channels: [Option]
        let problem: String?
        let cards: [Card]
        let charts: [Chart]
        let funnels: [Chart]
        let days: [DayRow]
        let articles: [ArticleRow]
        let csvQuery: String

        struct Option: Encodable { let value: String; let title: String; let selected: Bool }
        struct Card: Encodable { let id: String; let title: String; let value: String; let detail: String }
        struct Chart: Encodable { let title: String; let svg: String }
        struct DayRow: Encodable {
            let day: String
            let conversations: String
            let messages: String
            let understood: String
            let outOfScope: String
            let handoffs: String
            let containment: String
        }
        struct ArticleRow: Encodable { let title: String; let answered: String; let helpful: String }
    }

    @Sendable
    func page(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let filters = Filters(request)
        let rows = try await AssistantUsage.rows(from: filters.from, to: filters.to, channel: filters.channel, on: request.db)
        let report = UsageReport(from: filters.from, to: filters.to, rows: rows)
        let totals = report.totals
        let cards = [
            Page.Card(id: "conversaciones", title: "Conversaciones", value: SpanishNumber.integer(totals.conversations),
                      detail: "\(SpanishNumber.integer(totals.messages)) mensajes de los clientes"),
            Page.Card(id: "entendidos", title: "Mensajes que Ema entendió", value: Self.percent(totals.outOfScopeRate.map { 1 - $0 }),
                      detail: "\(SpanishNumber.integer(totals.understood + totals.articles)) de \(SpanishNumber.integer(totals.read)) escritos con sus palabras"),
            Page.Card(id: "fuera-de-alcance", title: "No entendidos", value: Self.percent(totals.outOfScopeRate),
                      detail: "\(SpanishNumber.integer(totals.notUnderstood)) mensajes · revísalos en «Enseñar a Ema»"),
            Page.Card(id: "asesor", title: "Pasaron a un asesor", value: SpanishNumber.integer(totals.handoffs),
                      detail: "chats pedidos y mensajes dejados"),
            Page.Card(id: "contencion", title: "Contención", value: Self.percent(totals.containment),
                      detail: "conversaciones resueltas sin asesor y sin un mensaje sin respuesta"),
        ]
        let dayBars = report.days.map { BarChart.Bar(label: Self.shortDay($0.day), value: Double($0.totals.conversations), text: SpanishNumber.integer($0.totals.conversations)) }
        let channelBars = EmaCore.Channel.allCases.map { channel in
            let count = report.channels[channel.rawValue]?.conversations ?? 0
            return BarChart.Bar(label: UsageReport.channelTitle(channel.rawValue), value: Double(count), text: SpanishNumber.integer(count))
        }
        let intentBars = report.intents.prefix(12).map { BarChart.Bar(label: $0.intent.title, value: Double($0.count), text: SpanishNumber.integer($0.count)) }
        let charts = [
            Page.Chart(title: "Conversaciones por día", svg: BarChart(id: "grafico-dias", title: "Conversaciones por día, \(Self.period(filters))", bars: dayBars, stacked: true).svg),
            Page.Chart(title: "Conversaciones por canal", svg: BarChart(id: "grafico-canales", title: "Conversaciones por canal, \(Self.period(filters))", bars: channelBars, stacked: true).svg),
            Page.Chart(title: "Lo que más le piden", svg: BarChart(id: "grafico-intenciones", title: "Intenciones entendidas, \(Self.period(filters))", bars: Array(intentBars), stacked: true).svg),
        ]
        let funnels = report.funnels.map { funnel, steps in
            Page.Chart(title: funnel.title, svg: BarChart(id: "embudo-\(funnel.rawValue)", title: "\(funnel.title): cuántos llegaron a cada paso", bars: steps.map { step in
                BarChart.Bar(label: step.title, value: Double(step.count),
                             text: SpanishNumber.integer(step.count) + (step.kept.map { " · " + Self.percent($0) } ?? ""))
            }, stacked: true).svg)
        }
        let days = report.days.reversed().map { day, totals in
            Page.DayRow(day: Self.shortDay(day), conversations: SpanishNumber.integer(totals.conversations), messages: SpanishNumber.integer(totals.messages),
                        understood: SpanishNumber.integer(totals.understood + totals.articles), outOfScope: Self.percent(totals.outOfScopeRate),
                        handoffs: SpanishNumber.integer(totals.handoffs), containment: Self.percent(totals.containment))
        }
        let titles = Dictionary(try await Articles.all(on: request.db).map { ($0.slug, ($0.id, $0.title)) }, uniquingKeysWith: { first, _ in first })
        let votes = try await Articles.feedbackCounts(on: request.db)
        let articles = report.articles.prefix(20).map { slug, count in
            let vote = titles[slug].flatMap { votes[$0.0] }
            return Page.ArticleRow(title: titles[slug]?.1 ?? slug, answered: SpanishNumber.integer(count),
                                   helpful: vote.map { "\(SpanishNumber.integer($0.helpful)) de \(SpanishNumber.integer($0.total)) (\(Self.percent(Double($0.helpful) / Double(max(1, $0.total)))))" } ?? "Sin respuestas")
        }
        let channels = [Page.Option(value: "", title: "Todos los canales", selected: filters.channel == nil)]
            + EmaCore.Channel.allCases.map { Page.Option(value: $0.rawValue, title: UsageReport.channelTitle($0.rawValue), selected: filters.channel == $0.rawValue) }
        let query = "desde=\(filters.from)&hasta=\(filters.to)" + (filters.channel.map { "&canal=\($0)" } ?? "")
        return try await request.view.render("backoffice/uso-de-ema", Page(
            title: "Uso de Ema", frame: .init(staff), from: filters.from.description, to: filters.to.description, period: Self.period(filters),
            channels: channels, problem: filters.problem, cards: cards, charts: charts, funnels: funnels, days: Array(days), articles: Array(articles),
            csvQuery: query))
    }

    static let csvHeader = ["dia", "canal", "metrica", "detalle", "valor"]

    /// Every count of the period: day, channel, metric, detail (an intent, an article, a funnel's
    /// `flujo:paso`), value.
    @Sendable
    func csv(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        let filters = Filters(request)
        let rows = try await AssistantUsage.rows(from: filters.from, to: filters.to, channel: filters.channel, on: request.db)
        let body = CSVWriter.line(Self.csvHeader) + rows.map { CSVWriter.line([$0.day, $0.channel, $0.metric, $0.detail, String($0.value)]) }.joined()
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "uso-de-ema-\(filters.from)-a-\(filters.to).csv")
        return response
    }

    static func percent(_ value: Double?) -> String {
        value.map(SpanishNumber.percent) ?? "—"
    }

    static let weekdays = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
    static let months = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"]

    /// «lun 7 dic».
    static func shortDay(_ day: CivilDate) -> String {
        "\(weekdays[ColombianCalendar.weekday(day)]) \(day.day) \(months[day.month - 1])"
    }

    static func period(_ filters: Filters) -> String {
        "del \(filters.from.displayName) al \(filters.to.displayName)"
    }
}
