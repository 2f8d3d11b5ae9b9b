import EmaCore
import Fluent
import Foundation
import SQLKit

/// The contact centre's calls, as imported from its CSV (`ema import calls FILE`): one row per
/// call id, so a file imported again changes nothing and a corrected line replaces its call.
/// The phone channel's indicators are computed from here.
struct PhoneCalls {
    static let schema = "phone_calls"

    let database: any Database

    /// Upserts a batch by call id, in one transaction.
    func upsert(_ rows: [CallRow]) async throws -> UpsertCounts {
        guard !rows.isEmpty else { return UpsertCounts() }
        return try await database.writeTransaction { tx in
            let existing = try await tx.sql.select().column("call_id").from(Self.schema)
                .where("call_id", .in, SQLBind.group(rows.map(\.callID))).all().count
            let insert = tx.sql.insert(into: Self.schema)
                .columns("call_id", "line", "queue", "month", "offered_at", "answered_at", "abandoned_at", "wait_seconds", "talk_seconds", "resolved", "segment")
            for row in rows {
                let month = CivilDate(bogotaAt: row.offeredAt.timeIntervalSince1970)
                insert.values(SQLBind(row.callID), SQLBind(row.line), SQLBind(row.queue), SQLBind(String(month.description.prefix(7))),
                              SQLBind(row.offeredAt), SQLBind(row.answeredAt), SQLBind(row.abandonedAt), SQLBind(row.waitSeconds),
                              SQLBind(row.talkSeconds), SQLBind(row.resolved), SQLBind(row.segment.rawValue))
            }
            try await insert.onConflict(with: ["call_id"]) {
                $0.set(excludedValueOf: "line").set(excludedValueOf: "queue").set(excludedValueOf: "month").set(excludedValueOf: "offered_at")
                    .set(excludedValueOf: "answered_at").set(excludedValueOf: "abandoned_at").set(excludedValueOf: "wait_seconds")
                    .set(excludedValueOf: "talk_seconds").set(excludedValueOf: "resolved").set(excludedValueOf: "segment")
            }.run()
            return UpsertCounts(new: rows.count - existing, updated: existing)
        }
    }

    /// A month's calls counted by everything the phone indicators look at, the threshold applied
    /// here (the same rules as `CallFact.group(threshold:)`): a few hundred rows for any month.
    func groups(month: String, threshold: TimeInterval) async throws -> [PhoneIndicators.CallGroup] {
        struct Row: Decodable {
            let line: String
            let queue: String
            let segment: String
            let answered: Int
            let in_time: Int
            let short_abandon: Int
            let resolved: Int
            let calls: Int
            let waits: Int
        }
        let limit = Int(threshold), short = Int(PhoneIndicators.shortAbandon)
        return try await database.sql.raw("""
            SELECT line, queue, segment, answered, in_time, short_abandon, resolved, COUNT(*) AS calls, CAST(SUM(wait_seconds) AS BIGINT) AS waits FROM (
                SELECT line, queue, segment, wait_seconds,
                    CASE WHEN answered_at IS NULL THEN 0 ELSE 1 END AS answered,
                    CASE WHEN answered_at IS NOT NULL AND wait_seconds <= \(bind: limit) THEN 1 ELSE 0 END AS in_time,
                    CASE WHEN answered_at IS NULL AND wait_seconds < \(bind: short) THEN 1 ELSE 0 END AS short_abandon,
                    CASE WHEN answered_at IS NOT NULL AND resolved THEN 1 ELSE 0 END AS resolved
                FROM phone_calls WHERE month = \(bind: month)
            ) AS calls GROUP BY line, queue, segment, answered, in_time, short_abandon, resolved
            """).all(decoding: Row.self).map {
            PhoneIndicators.CallGroup(line: $0.line, queue: $0.queue, segment: $0.segment, answered: $0.answered == 1, inTime: $0.in_time == 1,
                                      shortAbandon: $0.short_abandon == 1, resolved: $0.resolved == 1, count: $0.calls, waitSeconds: $0.waits)
        }
    }

    func count(month: String? = nil) async throws -> Int {
        let query = database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Self.schema)
        if let month { query.where("month", .equal, SQLBind(month)) }
        return try await query.first()?.decode(column: "n", as: Int.self) ?? 0
    }
}

struct CreatePhoneCalls: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PhoneCalls.schema)
            .field("call_id", .string, .identifier(auto: false))
            .field("line", .string, .required)
            .field("queue", .string, .required)
            .field("month", .string, .required)
            .field("offered_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("abandoned_at", .datetime)
            .field("wait_seconds", .int, .required)
            .field("talk_seconds", .int, .required)
            .field("resolved", .bool, .required)
            .field("segment", .string, .required)
            .create()
        try await database.sql.create(index: "phone_calls_month").on(PhoneCalls.schema).column("month").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PhoneCalls.schema).delete()
    }
}
