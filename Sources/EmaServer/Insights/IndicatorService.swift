import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The read side of the indicators: the few columns they need from turns, live chats, PQR
/// cases, contracts and survey answers, read here and nowhere else, then handed to the pure
/// arithmetic of `Indicators`. Months are ranges of the Bogotá civil dates each table stores
/// (`day`, `requested_on`, `filed_on`, `answered_on`), so a chat at 23:30 in Bogotá on the
/// last day belongs to that month, whatever the UTC date.
struct IndicatorService {
    let database: any Database
    let clock: AppClock
    /// Office name → municipality, from the utility's data file (turns store only the office).
    var municipalities: [String: String] = [:]

    /// The figures of a month.
    struct MonthFigures: Sendable {
        let month: BillingPeriod
        let figures: [Figure]
        let computedAt: Date

        func figure(_ indicator: Indicator, _ dimension: IndicatorDimension = .total) -> Figure? {
            figures.first { $0.indicator == indicator && $0.dimension == dimension }
        }
    }

    /// Today's live figures for the back office.
    struct TodayFigures: Sendable {
        let day: CivilDate
        let computedAt: Date
        let queues: [IndicatorDimension: Indicators.Queue]
        let figures: [Figure]
        let chatsWaiting: Int
        let chatsActive: Int
        /// How long the customer who has waited longest for an advisor has waited.
        let longestChatWait: TimeInterval?
    }

    func month(_ month: BillingPeriod) async throws -> MonthFigures {
        let (from, to) = CaseStatistics.dates(of: month)
        let now = clock.now()
        let turns = try await turnFacts(from: from, to: to, statuses: ["atendido"])
        let chats = try await chatFacts(from: from, to: to)
        let complaints = try await placeCounts("""
            SELECT municipality, segment, COUNT(*) AS total FROM cases
            WHERE filed_on >= \(bind: from) AND filed_on < \(bind: to) AND type IN ('queja', 'reclamo')
            GROUP BY municipality, segment
            """)
        let contracts = try await placeCounts("SELECT municipality, segment, COUNT(*) AS total FROM contracts GROUP BY municipality, segment")
        let answers = try await surveyFacts(from: from, to: to)
        let figures = Indicators.officeTimes(turns) + Indicators.chatFigures(chats, now: now)
            + Indicators.complaintIndex(complaints: complaints, contracts: contracts) + Indicators.satisfaction(answers)
        return MonthFigures(month: month, figures: figures, computedAt: now)
    }

    func today() async throws -> TodayFigures {
        let now = clock.now()
        let today = clock.today
        let (from, to) = (today.description, today.adding(days: 1).description)
        let turns = try await turnFacts(from: from, to: to, statuses: ["reservado", "llamado", "en_atencion", "atendido", "no_asistio"])
        let chats = try await chatFacts(from: from, to: to)
        let open = try await database.sql.raw("""
            SELECT status, COUNT(*) AS total, MIN(requested_at) AS oldest FROM live_chats
            WHERE status IN (\(bind: LiveChat.Status.waiting.rawValue), \(bind: LiveChat.Status.active.rawValue)) GROUP BY status
            """).all()
        var counts: [String: Int] = [:]
        var oldestWaiting: Date?
        for row in open {
            let status = try row.decode(column: "status", as: String.self)
            counts[status] = try row.decode(column: "total", as: Int.self)
            if status == LiveChat.Status.waiting.rawValue { oldestWaiting = try row.decode(column: "oldest", as: Date?.self) }
        }
        let figures = Indicators.officeTimes(turns) + Indicators.chatFigures(chats, now: now) + Indicators.satisfaction(try await surveyFacts(from: from, to: to))
        return TodayFigures(
            day: today, computedAt: now, queues: Indicators.queue(turns, now: now), figures: figures,
            chatsWaiting: counts[LiveChat.Status.waiting.rawValue] ?? 0, chatsActive: counts[LiveChat.Status.active.rawValue] ?? 0,
            longestChatWait: oldestWaiting.map { max(0, now.timeIntervalSince($0)) }
        )
    }

    // MARK: Reading

    private var sql: any SQLDatabase { database.sql }

    /// Turns of the days `[from, to)` in the given states.
    func turnFacts(from: String, to: String, statuses: [String]) async throws -> [Indicators.TurnFact] {
        struct Row: Decodable {
            let office: String
            let day: String
            let slot: String
            let status: String
            let started_at: Date?
            let ended_at: Date?
        }
        return try await sql.raw("""
            SELECT office, day, slot, status, started_at, ended_at FROM turns
            WHERE day >= \(bind: from) AND day < \(bind: to) AND status IN (\(binds: statuses))
            """).all(decoding: Row.self).map { row in
            Indicators.TurnFact(
                office: row.office, municipality: municipalities[row.office], status: row.status,
                slotStart: OfficeTurn.slotStart(day: row.day, slot: row.slot), startedAt: row.started_at, endedAt: row.ended_at
            )
        }
    }

    /// Live chats asked for on the days `[from, to)`.
    func chatFacts(from: String, to: String) async throws -> [Indicators.ChatFact] {
        struct Row: Decodable {
            let channel: String
            let status: String
            let requested_at: Date
            let taken_at: Date?
            let first_reply_at: Date?
            let resolved: Bool?
        }
        return try await sql.raw("""
            SELECT channel, status, requested_at, taken_at, first_reply_at, resolved FROM live_chats
            WHERE requested_on >= \(bind: from) AND requested_on < \(bind: to)
            """).all(decoding: Row.self).map { row in
            // Taking a chat greets the customer, so the first answer is the earlier of the two.
            let answered = [row.taken_at, row.first_reply_at].compactMap { $0 }.min()
            return Indicators.ChatFact(channel: row.channel, status: row.status, requestedAt: row.requested_at, answeredAt: answered, resolved: row.resolved)
        }
    }

    /// Survey answers of the days `[from, to)`, counted per kind, score and place.
    func surveyFacts(from: String, to: String) async throws -> [Indicators.SurveyFact] {
        struct Row: Decodable {
            let kind: String
            let score: Int
            let office: String?
            let municipality: String?
            let segment: String?
            let total: Int
        }
        return try await sql.raw("""
            SELECT kind, score, office, municipality, segment, COUNT(*) AS total FROM survey_responses
            WHERE answered_on >= \(bind: from) AND answered_on < \(bind: to)
            GROUP BY kind, score, office, municipality, segment
            """).all(decoding: Row.self).map {
            Indicators.SurveyFact(kind: $0.kind, score: $0.score, office: $0.office, municipality: $0.municipality, segment: $0.segment, count: $0.total)
        }
    }

    private func placeCounts(_ query: SQLQueryString) async throws -> [Indicators.PlaceCount] {
        struct Row: Decodable {
            let municipality: String?
            let segment: String?
            let total: Int
        }
        return try await sql.raw(query).all(decoding: Row.self).map { Indicators.PlaceCount(municipality: $0.municipality, segment: $0.segment, count: $0.total) }
    }
}

extension Application {
    func indicatorService() -> IndicatorService {
        IndicatorService(
            database: db, clock: clock,
            municipalities: utilityProfile?.municipalityOfOffice ?? [:]
        )
    }
}
