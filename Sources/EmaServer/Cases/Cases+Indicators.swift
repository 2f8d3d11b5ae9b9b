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
