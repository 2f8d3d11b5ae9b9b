import EmaCore
import Fluent
import Foundation
import SQLKit

/// Ema's usage statistics: counts by Bogotá day, channel, metric and detail — conversations,
/// messages, intents understood, messages not understood, handoffs, articles, funnel steps.
/// No number, name, conversation or text is kept here, so the counts outlive the conversations'
/// retention. A turn's counts commit with the turn. Each count is spread over a few rows
/// (`shard`), so turns of many nodes at once do not queue on one row lock.
enum AssistantUsage {
    static let schema = "assistant_usage"
    static let shards = 8

    /// A metric's name in the table and in the CSV.
    enum Metric: String, CaseIterable {
        case conversaciones, mensajes, entendidos = "intencion", noEntendidos = "no_entendido", asesor
        case articulo, escaladas, embudo
    }

    /// A turn's events as (metric, detail) counts; the phrases not understood go to
    /// `UnrecognizedPhrases`, masked.
    static func counts(_ events: [UsageEvent]) -> [Key: Int] {
        var counts: [Key: Int] = [:]
        for event in events {
            let key: Key
            switch event {
            case .conversation: key = Key(.conversaciones)
            case .turn: key = Key(.mensajes)
            case .understood(let intent): key = Key(.entendidos, intent.rawValue)
            case .notUnderstood: key = Key(.noEntendidos)
            case .handoff: key = Key(.asesor)
            case .article(let slug): key = Key(.articulo, slug)
            case .escalated: key = Key(.escaladas)
            case .funnel(let funnel, let step): key = Key(.embudo, "\(funnel.rawValue):\(step)")
            }
            counts[key, default: 0] += 1
        }
        return counts
    }

    struct Key: Hashable {
        let metric: Metric
        let detail: String

        init(_ metric: Metric, _ detail: String = "") {
            self.metric = metric
            self.detail = detail
        }
    }

    /// Adds a turn's events to the day's counts, in the caller's transaction.
    static func record(_ events: [UsageEvent], channel: EmaCore.Channel, at date: Date, on database: any Database) async throws {
        let day = CivilDate(bogotaAt: date.timeIntervalSince1970)
        try await add(counts(events), channel: channel, day: day, on: database)
        for case .notUnderstood(let text) in events {
            try await UnrecognizedPhrases.record(text, at: date, on: database)
        }
    }

    /// Adds to one count (a shard of it, chosen at random).
    static func add(_ count: Int, of metric: Metric, detail: String = "", channel: EmaCore.Channel, day: CivilDate, on database: any Database) async throws {
        try await add([Key(metric, detail): count], channel: channel, day: day, on: database)
    }

    /// Adds several counts of one day and channel in one statement (one shard for all: the keys
    /// are distinct, so no row is touched twice).
    static func add(_ counts: [Key: Int], channel: EmaCore.Channel, day: CivilDate, on database: any Database) async throws {
        guard !counts.isEmpty else { return }
        let shard = Int.random(in: 0..<shards)
        var query = SQLQueryString("INSERT INTO \(ident: schema) (day, channel, metric, detail, shard, count) VALUES ")
        for (index, (key, count)) in counts.sorted(by: { ($0.key.metric.rawValue, $0.key.detail) < ($1.key.metric.rawValue, $1.key.detail) }).enumerated() {
            if index > 0 { query.appendLiteral(", ") }
            query.appendInterpolation(unsafeRaw: "(")
            query.appendInterpolation(bind: day.description)
            query.appendLiteral(", ")
            query.appendInterpolation(bind: channel.rawValue)
            query.appendLiteral(", ")
            query.appendInterpolation(bind: key.metric.rawValue)
            query.appendLiteral(", ")
            query.appendInterpolation(bind: key.detail)
            query.appendLiteral(", ")
            query.appendInterpolation(bind: shard)
            query.appendLiteral(", ")
            query.appendInterpolation(bind: count)
            query.appendLiteral(")")
        }
        query.appendInterpolation(unsafeRaw: " ON CONFLICT (day, channel, metric, detail, shard) DO UPDATE SET count = ")
        query.appendInterpolation(ident: schema)
        query.appendLiteral(".count + excluded.count")
        try await database.sql.raw(query).run()
    }

    /// One count of a period: day, channel, metric, detail, value.
    struct Row: Equatable {
        let day: String
        let channel: String
        let metric: String
        let detail: String
        let value: Int
    }

    /// Every count between two days (inclusive), the shards added up; `channel` nil: all.
    static func rows(from: CivilDate, to: CivilDate, channel: String? = nil, on database: any Database) async throws -> [Row] {
        var query = SQLQueryString("""
            SELECT day, channel, metric, detail, CAST(SUM(count) AS BIGINT) AS value FROM \(ident: schema)
            WHERE day >= \(bind: from.description) AND day <= \(bind: to.description)
            """)
        if let channel { query.appendInterpolation(unsafeRaw: " AND channel = "); query.appendInterpolation(bind: channel) }
        query.appendInterpolation(unsafeRaw: " GROUP BY day, channel, metric, detail ORDER BY day, channel, metric, detail")
        return try await database.sql.raw(query).all().map {
            Row(day: try $0.decode(column: "day", as: String.self), channel: try $0.decode(column: "channel", as: String.self),
                metric: try $0.decode(column: "metric", as: String.self), detail: try $0.decode(column: "detail", as: String.self),
                value: try $0.decode(column: "value", as: Int.self))
        }
    }
}

struct CreateAssistantUsage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AssistantUsage.schema)
            .field("day", .string, .required)
            .field("channel", .string, .required)
            .field("metric", .string, .required)
            .field("detail", .string, .required)
            .field("shard", .int, .required)
            .field("count", .int64, .required)
            .compositeIdentifier(over: "day", "channel", "metric", "detail", "shard")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AssistantUsage.schema).delete()
    }
}
