import EmaCore
import Fluent
import Foundation
import SQLKit

/// What Billing tells the indicators and the PQR statistics: how many contracts there are, and where.
enum BillingIndicatorFacts {
    /// Contracts per municipality and segment.
    static func contracts(on database: any Database) async throws -> [Indicators.PlaceCount] {
        try await PlaceCounts.read("""
            SELECT municipality, segment, COUNT(*) AS total FROM \(ident: Contract.schema) GROUP BY municipality, segment
            """, on: database)
    }

    static func contractCount(on database: any Database) async throws -> Int {
        try await Contract.query(on: database).count()
    }
}

/// Rows of `municipality, segment, total` as the indicators' place counts.
enum PlaceCounts {
    static func read(_ query: SQLQueryString, on database: any Database) async throws -> [Indicators.PlaceCount] {
        struct Row: Decodable {
            let municipality: String?
            let segment: String?
            let total: Int
        }
        return try await database.sql.raw(query).all(decoding: Row.self).map { Indicators.PlaceCount(municipality: $0.municipality, segment: $0.segment, count: $0.total) }
    }
}

extension BillingIndicatorFacts {
    /// The self-service transactions Billing keeps, done on the days `[from, to)` (Bogotá), by
    /// type and channel: each read from the table that records it.
    static func transactions(from: CivilDate, to: CivilDate, on database: any Database) async throws -> [SelfServiceTransaction.Count] {
        let (start, end) = (from.startInBogota, to.startInBogota)
        struct Row: Decodable { let kind: String; let channel: String; let total: Int }
        let rows = try await database.sql.raw("""
            SELECT 'pago_en_linea' AS kind, 'sitio_web' AS channel, COUNT(*) AS total FROM \(ident: Payment.schema)
                WHERE status = 'approved' AND settled_at >= \(bind: start) AND settled_at < \(bind: end)
            UNION ALL SELECT 'cupon', channel, COUNT(*) FROM \(ident: PaymentCoupon.schema)
                WHERE created_at >= \(bind: start) AND created_at < \(bind: end) GROUP BY channel
            UNION ALL SELECT 'acuerdo_pago', accepted_channel, COUNT(*) FROM \(ident: PaymentAgreement.schema)
                WHERE accepted_at >= \(bind: start) AND accepted_at < \(bind: end) GROUP BY accepted_channel
            UNION ALL SELECT 'consulta_pin', channel, COUNT(*) FROM \(ident: PrepaidPinViews.schema)
                WHERE viewed_at >= \(bind: start) AND viewed_at < \(bind: end) GROUP BY channel
            UNION ALL SELECT 'certificado', 'sitio_web', COUNT(*) FROM \(ident: Certificates.schema)
                WHERE issued_at >= \(bind: start) AND issued_at < \(bind: end)
            UNION ALL SELECT 'inscripcion_factura', channel, COUNT(*) FROM \(ident: Enrollment.schema)
                WHERE created_at >= \(bind: start) AND created_at < \(bind: end) GROUP BY channel
            UNION ALL SELECT 'recordatorio', 'whatsapp', COUNT(*) FROM \(ident: PaymentReminders.schema)
                WHERE status IN ('sent', 'delivered', 'read') AND updated_at >= \(bind: start) AND updated_at < \(bind: end)
            """).all(decoding: Row.self)
        return rows.compactMap { row in
            guard row.total > 0, let kind = SelfServiceTransaction(rawValue: row.kind) else { return nil }
            return .init(kind, channel: row.channel, count: row.total)
        }
    }
}
