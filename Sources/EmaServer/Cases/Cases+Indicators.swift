import EmaCore
import Fluent
import Foundation
import SQLKit

/// What Cases tells the indicators (`Insights/IndicatorService`): the quejas and reclamos filed.
enum CaseIndicatorFacts {
    /// Quejas and reclamos filed on the days `[from, to)`, per municipality and segment.
    static func complaints(from: String, to: String, on database: any Database) async throws -> [Indicators.PlaceCount] {
        try await PlaceCounts.read("""
            SELECT municipality, segment, COUNT(*) AS total FROM \(ident: PQRCase.schema)
            WHERE filed_on >= \(bind: from) AND filed_on < \(bind: to) AND type IN (\(binds: CaseType.complaints.map(\.rawValue)))
            GROUP BY municipality, segment
            """, on: database)
    }
}

extension CaseIndicatorFacts {
    /// Billing requests (separación de cuentas, aportes voluntarios) filed on the days `[from, to)`, by channel.
    static func requests(from: String, to: String, on database: any Database) async throws -> [SelfServiceTransaction.Count] {
        struct Row: Decodable { let request_kind: String; let channel: String; let total: Int }
        return try await database.sql.raw("""
            SELECT request_kind, channel, COUNT(*) AS total FROM \(ident: PQRCase.schema)
            WHERE request_kind IS NOT NULL AND filed_on >= \(bind: from) AND filed_on < \(bind: to)
            GROUP BY request_kind, channel
            """).all(decoding: Row.self).compactMap { row in
            SelfServiceTransaction(rawValue: row.request_kind).map { .init($0, channel: row.channel, count: row.total) }
        }
    }
}

extension CaseIndicatorFacts {
    /// PQR answered on the days `[from, to)` (recursos aside: they are the second contact), and
    /// of them those solved with that first answer: no recurso was filed against it. An answer
    /// whose window for a recurso is still open on `today` is not judged yet, unless a recurso
    /// already came.
    static func firstContact(from: String, to: String, today: String, on database: any Database) async throws -> Indicators.Resolution {
        let recursos = CaseType.allCases.filter(\.isRecurso).map(\.rawValue)
        let row = try await database.sql.raw("""
            SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN appealed = 0 THEN 1 ELSE 0 END), 0) AS solved FROM (
                SELECT answered.appeal_until,
                    CASE WHEN EXISTS (SELECT 1 FROM \(ident: PQRCase.schema) AS later WHERE later.parent_id = answered.id) THEN 1 ELSE 0 END AS appealed
                FROM \(ident: PQRCase.schema) AS answered
                WHERE answered.answered_on >= \(bind: from) AND answered.answered_on < \(bind: to) AND answered.type NOT IN (\(binds: recursos))
            ) AS answers
            WHERE appealed = 1 OR appeal_until IS NULL OR appeal_until < \(bind: today)
            """).first()
        let total = try row?.decode(column: "total", as: Int.self) ?? 0
        let solved = try row?.decode(column: "solved", as: Int.self) ?? 0
        return Indicators.Resolution(channel: "pqr", resolved: solved, total: total)
    }
}
