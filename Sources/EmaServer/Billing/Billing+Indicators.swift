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
