import EmaCore
import Fluent
import Foundation
import SQLKit

/// What Offices tells the indicators (`Insights/IndicatorService`): its turns as facts.
enum OfficeIndicatorFacts {
    /// The turns of the days `[from, to)` in the given states, each with its office's
    /// municipality (`municipalities`: office name → municipality, from the utility's data).
    static func turns(from: String, to: String, statuses: [TurnStatus], municipalities: [String: String], on database: any Database) async throws -> [Indicators.TurnFact] {
        struct Row: Decodable {
            let office: String
            let day: String
            let slot: String
            let status: String
            let started_at: Date?
            let ended_at: Date?
            let walk_in: Bool
            let preferential: String?
            let arrived_at: Date?
            let resolved: Bool?
        }
        return try await database.sql.raw("""
            SELECT office, day, slot, status, started_at, ended_at, walk_in, preferential, arrived_at, resolved FROM \(ident: OfficeTurn.schema)
            WHERE day >= \(bind: from) AND day < \(bind: to) AND status IN (\(binds: statuses.map(\.rawValue)))
            """).all(decoding: Row.self).compactMap { row in
            guard let status = TurnStatus(rawValue: row.status) else { return nil }
            return Indicators.TurnFact(
                office: row.office, municipality: municipalities[row.office], status: status,
                slotStart: OfficeTurn.slotStart(day: row.day, slot: row.slot), startedAt: row.started_at, endedAt: row.ended_at,
                origin: row.walk_in ? (row.preferential == nil ? .walkIn : .preferential) : .booked, arrivedAt: row.arrived_at, resolved: row.resolved
            )
        }
    }
}
