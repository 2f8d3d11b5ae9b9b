import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The month's PQR figures (seed 002: counts by type, cause, service, municipality and market;
/// answers on time; business days to answer; the complaint index) and the SSPD's Formato A.
struct CaseStatistics: Sendable {
    struct Count: Encodable, Sendable, Equatable {
        let label: String
        let count: Int
    }

    struct Month: Encodable, Sendable {
        let month: String
        let filed: Int
        let byType: [Count]
        let byCausal: [Count]
        let byService: [Count]
        let byMunicipality: [Count]
        let bySegment: [Count]
        let byChannel: [Count]
        let answered: Int
        let answeredOnTime: Int
        /// Percent of the month's answers given within their term, one decimal.
        let onTimeShare: Double?
        let averageBusinessDays: Double?
        let complaints: Int
        let contracts: Int
        /// Quejas and reclamos per 10,000 contracts.
        let complaintIndex: Double?
        let positiveSilence: Int
        let surveys: Int
        let averageSatisfaction: Double?
    }

    let database: any Database

    func month(_ month: BillingPeriod) async throws -> Month {
        let sql = database.sql
        let key = month.description
        let (from, to) = Self.dates(of: month)
        func grouped(_ column: String, label: (String?) -> String) async throws -> [Count] {
            let rows = try await sql.raw("SELECT \(ident: column) AS value, COUNT(*) AS total FROM cases WHERE filed_on >= \(bind: from) AND filed_on < \(bind: to) GROUP BY \(ident: column)").all()
            return try rows.map { Count(label: label(try $0.decodeNil(column: "value") ? nil : try $0.decode(column: "value", as: String.self)), count: try $0.decode(column: "total", as: Int.self)) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.label < $1.label }
        }
        let byType = try await grouped("type") { $0.flatMap(CaseType.init(rawValue:))?.title ?? "—" }
        let byCausal = try await grouped("causal") { value in CaseCatalog.causal(value)?.label ?? "Sin clasificar" }
        let byService = try await grouped("service") { $0.flatMap(UtilityService.init(rawValue:))?.displayName ?? "Sin servicio" }
        let byMunicipality = try await grouped("municipality") { $0 ?? "Sin municipio" }
        let bySegment = try await grouped("segment") { $0.flatMap(Segment.init(rawValue:))?.displayName ?? "Sin contrato" }
        let byChannel = try await grouped("channel") { $0.flatMap(CaseChannel.init(rawValue:))?.title ?? "—" }
        let filed = byType.reduce(0) { $0 + $1.count }
        let complaints = try await sql.raw("SELECT COUNT(*) AS total FROM cases WHERE filed_on >= \(bind: from) AND filed_on < \(bind: to) AND type IN (\(binds: CaseType.complaints.map(\.rawValue)))").first()?.decode(column: "total", as: Int.self) ?? 0
        let silence = try await sql.raw("SELECT COUNT(*) AS total FROM cases WHERE filed_on >= \(bind: from) AND filed_on < \(bind: to) AND positive_silence = \(bind: true)").first()?.decode(column: "total", as: Int.self) ?? 0
        let answers = try await sql.raw("""
            SELECT COUNT(*) AS total,
                   SUM(CASE WHEN answered_on_time = \(bind: true) THEN 1 ELSE 0 END) AS on_time,
                   AVG(CAST(business_days_to_answer AS DOUBLE PRECISION)) AS days,
                   COUNT(satisfaction) AS surveys,
                   AVG(CAST(satisfaction AS DOUBLE PRECISION)) AS satisfaction
            FROM cases WHERE answered_on >= \(bind: from) AND answered_on < \(bind: to)
            """).first()
        let answered = try answers?.decode(column: "total", as: Int.self) ?? 0
        let onTime = try answers?.decode(column: "on_time", as: Int?.self) ?? 0
        let days = try answers?.decode(column: "days", as: Double?.self)
        let surveys = try answers?.decode(column: "surveys", as: Int.self) ?? 0
        let satisfaction = try answers?.decode(column: "satisfaction", as: Double?.self)
        let contracts = try await BillingIndicatorFacts.contractCount(on: database)
        func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        return Month(
            month: key, filed: filed, byType: byType, byCausal: byCausal, byService: byService, byMunicipality: byMunicipality,
            bySegment: bySegment, byChannel: byChannel, answered: answered, answeredOnTime: onTime,
            onTimeShare: answered > 0 ? round1(Double(onTime) * 100 / Double(answered)) : nil,
            averageBusinessDays: days.map { (($0 * 10).rounded()) / 10 },
            complaints: complaints, contracts: contracts,
            complaintIndex: contracts > 0 ? (Double(complaints) * 10_000 / Double(contracts) * 100).rounded() / 100 : nil,
            positiveSilence: silence, surveys: surveys, averageSatisfaction: satisfaction.map { ($0 * 10).rounded() / 10 }
        )
    }

    /// A month as a range of civil dates, `[first day, first day of the next month)`: `YYYY-MM-DD`
    /// sorts as dates do, so the indexes on `filed_on` and `answered_on` serve it.
    static func dates(of month: BillingPeriod) -> (from: String, to: String) {
        (month.description + "-01", month.next.description + "-01")
    }

    /// DANE codes of the municipalities the utility serves (department 05, Antioquia). ⚠ Kept
    /// here until the utility's data file carries them.
    static let daneCodes: [String: String] = [
        "Medellín": "05001", "Apartadó": "05045", "Bello": "05088", "Carepa": "05147", "Envigado": "05266",
        "Itagüí": "05360", "El Peñol": "05541", "Puerto Berrío": "05579", "Sabaneta": "05631", "Turbo": "05837",
    ]

    static let sspdHeader = [
        "Código Departamento", "Código Municipio", "Código Centro Poblado", "Radicado Recibido", "Fecha Radicación",
        "Tipo de Trámite", "Causal", "Detalle de Causal", "Número de Cuenta", "Número o Identificador de Factura",
        "Tipo Respuesta", "Fecha Respuesta", "Radicado Respuesta", "Fecha Notificación o Ejecución", "Tipo de Notificación",
        "Fecha Traslado a la SSPD",
    ]

    /// Formato A for a month: cases filed or answered in it, and earlier ones still open.
    /// Written row by row to `write`, so a month of any size streams.
    func sspdRows(_ month: BillingPeriod, write: ([String]) async throws -> Void) async throws {
        let (from, to) = Self.dates(of: month)
        struct Line: Decodable {
            let radicado: String
            let type: String
            let causal: String
            let municipality: String?
            let contract_number: String?
            let invoice_number: String?
            let filed_on: String
            let answered_on: String?
            let decision: String?
            let notified_on: String?
            let notification_kind: String?
        }
        // Only the columns the format needs: decoding whole cases made a month of 100,000 slow.
        let rows = try await database.sql.raw("""
            SELECT radicado, type, causal, municipality, contract_number, invoice_number, filed_on, answered_on,
                   decision, notified_on, notification_kind
            FROM cases
            WHERE (filed_on >= \(bind: from) AND filed_on < \(bind: to)) OR (answered_on >= \(bind: from) AND answered_on < \(bind: to))
               OR (filed_on < \(bind: from) AND status IN ('radicado', 'en_tramite'))
            ORDER BY year, sequence
            """).all(decoding: Line.self)
        try await write(Self.sspdHeader)
        for row in rows {
            guard let type = CaseType(rawValue: row.type), let tramite = type.sspdTramite else { continue }
            let dane = row.municipality.flatMap { Self.daneCodes[$0] } ?? ""
            let causal = CaseCatalog.causal(row.causal)
            let answeredThisMonth = row.answered_on.map { $0 < to } ?? false
            let decision = answeredThisMonth ? row.decision.flatMap(CaseDecision.init(rawValue:))?.sspdCode ?? "9" : "9"
            let notified = answeredThisMonth && row.notified_on != nil
            let notification = notified ? (row.notification_kind == "aviso_web" ? "4" : "1") : "3"
            try await write([
                dane.isEmpty ? "" : String(dane.prefix(2)), dane, dane.isEmpty ? "" : dane + "000", row.radicado, Self.sspdDate(row.filed_on),
                tramite, causal?.group ?? "", causal?.code ?? "", row.contract_number ?? "", row.invoice_number ?? "",
                decision, answeredThisMonth ? Self.sspdDate(row.answered_on) : "", answeredThisMonth ? row.radicado + "-R" : "",
                notified ? Self.sspdDate(row.notified_on) : "", notification,
                type == .recursoApelacion && notified ? Self.sspdDate(row.notified_on) : "",
            ])
        }
    }

    /// `dd-mm-yyyy`, as SUI loads dates.
    static func sspdDate(_ civil: String?) -> String {
        guard let civil, let date = CivilDate(civil) else { return "" }
        return String(format: "%02d-%02d-%04d", date.day, date.month, date.year)
    }

    static func csvLine(_ fields: [String]) -> String {
        CSVWriter.line(fields)
    }
}

/// The statistics page and the SSPD export in the back office (supervisors, administrators).
enum CaseStatisticsPage {
    struct Page: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let month: String
        let monthName: String
        let stats: CaseStatistics.Month
        let months: [SelectOption]
        /// The month's figures as a Colombian reads them (decimal comma, the unit).
        let shown: Shown

        struct Shown: Encodable {
            let onTimeShare: String?
            let averageBusinessDays: String?
            let complaintIndex: String?
            let averageSatisfaction: String?
            let contracts: String

            init(_ stats: CaseStatistics.Month) {
                onTimeShare = stats.onTimeShare.map { SpanishNumber.decimal($0, places: 1) + " %" }
                averageBusinessDays = stats.averageBusinessDays.map { SpanishNumber.decimal($0, places: 1) + " días" }
                complaintIndex = stats.complaintIndex.map { SpanishNumber.decimal($0, places: 2) }
                averageSatisfaction = stats.averageSatisfaction.map { SpanishNumber.decimal($0, places: 1) + " de 5" }
                contracts = SpanishNumber.integer(stats.contracts)
            }
        }
    }

    static func chosenMonth(_ request: Request) throws -> BillingPeriod {
        let today = request.application.clock.today
        guard let typed = try? request.query.get(String.self, at: "mes"), !typed.isEmpty else {
            return BillingPeriod(containing: today)
        }
        guard let period = BillingPeriod(typed) else { throw Abort(.badRequest) }
        return period
    }

    @Sendable
    static func page(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let month = try chosenMonth(request)
        let stats = try await CaseStatistics(database: request.db).month(month)
        let today = request.application.clock.today
        var options: [SelectOption] = []
        var cursor = BillingPeriod(containing: today)
        for _ in 0..<18 {
            options.append(.init(value: cursor.description, label: cursor.displayName, selected: cursor == month))
            cursor = cursor.previous
        }
        return try await request.view.render("backoffice/case-stats", Page(
            title: "Estadísticas PQR", frame: .init(staff), month: month.description, monthName: month.displayName, stats: stats, months: options, shown: .init(stats)
        ))
    }

    @Sendable
    static func sspdCSV(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let month = try chosenMonth(request)
        var lines: [String] = []
        try await CaseStatistics(database: request.db).sspdRows(month) { lines.append(CaseStatistics.csvLine($0)) }
        let body = lines.joined()
        try await request.application.staffService().audit(staff.accountID, email: staff.email, "exportar_sspd", subject: month.description, detail: "Formato A de PQR")
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "pqr-formato-a-\(month.description).csv")
        return response
    }
}
