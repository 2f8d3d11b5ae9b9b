import EmaCore
import Foundation
import Vapor

enum IndicatorError: EmaError {
    case badMonth
    case futureMonth(String)

    var status: HTTPResponseStatus { .badRequest }

    var code: String {
        switch self {
        case .badMonth: "bad_month"
        case .futureMonth: "future_month"
        }
    }

    var reason: String {
        switch self {
        case .badMonth: "No entendimos el mes. Escríbelo como año y mes con un guion, por ejemplo 2026-11, o elígelo de la lista en la página de indicadores."
        case .futureMonth(let month): "Todavía no hay indicadores de \(month): ese mes no ha empezado. Elige el mes en curso o uno anterior."
        }
    }
}

/// The service indicators: the public statistics page and its CSV, and today's live figures
/// in the back office.
struct IndicatorsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("indicadores", use: page)
        routes.get("indicadores.csv", use: csv)
        routes.grouped("backoffice", "indicadores").grouped(StaffAuthMiddleware(.supervisor, .administrador)).get(use: live)
    }

    /// The month asked for (`?mes=2026-11`); by default the last complete month in Bogotá.
    static func month(_ request: Request) throws -> (month: BillingPeriod, current: BillingPeriod) {
        let current = BillingPeriod(containing: request.application.clock.today)
        guard let typed = request.query[String.self, at: "mes"]?.trimmingCharacters(in: .whitespaces), !typed.isEmpty else {
            return (current.previous, current)
        }
        guard let month = BillingPeriod(typed) else { throw IndicatorError.badMonth }
        guard month <= current else { throw IndicatorError.futureMonth(month.displayName) }
        return (month, current)
    }

    /// `GET /indicadores?mes=2026-11`: the month's indicators with charts and tables, and the
    /// totals of the six months up to it. Public; no sign-in.
    @Sendable
    func page(request: Request) async throws -> View {
        let (month, current) = try Self.month(request)
        let app = request.application
        var trend: [IndicatorService.MonthFigures] = []
        var cursor = month
        for _ in 0..<6 {
            trend.append(try await app.cachedIndicators(cursor))
            cursor = cursor.previous
        }
        let utility = try request.utility()
        return try await request.view.render("indicadores", IndicatorsPage.page(
            utility: utility, figures: trend[0], trend: trend, current: current, rules: utility.indicatorRules
        ))
    }

    static let csvHeader = ["mes", "indicador", "dimension", "valor", "unidad", "casos"]

    /// `GET /indicadores.csv?mes=2026-11`: one line per indicator and dimension
    /// (`2026-11,tiempo_espera_oficina,oficina:Oficina Bello,12.5,minutos,40`); `valor` is empty
    /// when there was nothing to measure. RFC 4180, UTF-8, CRLF.
    @Sendable
    func csv(request: Request) async throws -> Response {
        let (month, _) = try Self.month(request)
        let figures = try await request.application.cachedIndicators(month)
        let response = Response(status: .ok, body: .init(string: Self.csv(figures)))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "indicadores-\(month.description).csv")
        return response
    }

    static func csv(_ figures: IndicatorService.MonthFigures) -> String {
        let lines = figures.figures.map { figure in
            CaseStatistics.csvLine([
                figures.month.description, figure.indicator.rawValue, figure.dimension.csv,
                figure.value.map { String(format: "%.\(figure.indicator.decimals)f", $0) } ?? "",
                figure.indicator.unit, String(figure.cases),
            ])
        }
        // The self-service transactions: `2026-11,autogestion_cupon,canal:whatsapp,12,tramites,12`.
        let table = SelfServiceTransaction.table(figures.transactions)
        let transactions = SelfServiceTransaction.allCases.flatMap { transaction in
            (table[transaction] ?? [:]).sorted { $0.key < $1.key }.map { channel, count in
                CaseStatistics.csvLine([figures.month.description, "autogestion_" + transaction.rawValue, "canal:" + channel, String(count), "tramites", String(count)])
            }
        }
        return CaseStatistics.csvLine(csvHeader) + lines.joined() + transactions.joined() + (figures.pqr.map(IndicatorsPage.pqrCSV) ?? "")
    }

    /// `GET /backoffice/indicadores`: today's figures, live (the page reloads every 30 seconds).
    @Sendable
    func live(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let today = try await request.application.indicatorService().today()
        return try await request.view.render("backoffice/indicadores", IndicatorsLivePage(staff, today))
    }
}
