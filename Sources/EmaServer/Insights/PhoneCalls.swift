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

    /// A month's calls as the phone figures need them (`PhoneIndicators`).
    func facts(month: String) async throws -> [PhoneIndicators.CallFact] {
        try await database.sql.select().columns("line", "queue", "segment", "month", "answered_at", "wait_seconds", "resolved").from(Self.schema)
            .where("month", .equal, SQLBind(month)).all().map {
                PhoneIndicators.CallFact(line: try $0.decode(column: "line", as: String.self), queue: try $0.decode(column: "queue", as: String.self),
                                         segment: try $0.decode(column: "segment", as: String.self), month: try $0.decode(column: "month", as: String.self),
                                         answered: try $0.decode(column: "answered_at", as: Date?.self) != nil,
                                         waitSeconds: try $0.decode(column: "wait_seconds", as: Int.self), resolved: try $0.decode(column: "resolved", as: Bool.self))
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
