import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The read side of the indicators: each capability supplies its facts (`OfficeIndicatorFacts`,
/// `LiveChatIndicatorFacts`, `CaseIndicatorFacts`, `BillingIndicatorFacts`; survey answers are
/// Insights' own), handed to the pure arithmetic of `EmaCore.Indicators`. Months are ranges of the Bogotá civil dates each table stores
/// (`day`, `requested_on`, `filed_on`, `answered_on`), so a chat at 23:30 in Bogotá on the
/// last day belongs to that month, whatever the UTC date.
struct IndicatorService {
    let database: any Database
    let clock: AppClock
    /// Office name → municipality, from the utility's data file (turns store only the office).
    var municipalities: [String: String] = [:]
    /// The utility's thresholds (the phone's service level).
    var rules = IndicatorRules()
    /// A contact-centre line code → its published name.
    var lineName: @Sendable (String) -> String? = { _ in nil }
    /// The areas suggestions go to, by id (their names are what the figures show).
    var suggestionAreas: [String: String] = [:]

    /// The figures of a month.
    struct MonthFigures: Sendable {
        let month: BillingPeriod
        let figures: [Figure]
        let computedAt: Date
        /// The self-service transactions of the month, by type and channel.
        var transactions: [SelfServiceTransaction.Count] = []
        /// The month's PQR statistics (Cases), published beside the indicators.
        var pqr: CaseStatistics.Month?

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
        let turns = try await OfficeIndicatorFacts.turns(from: from, to: to, statuses: [.attended], municipalities: municipalities, on: database)
        let chats = try await LiveChatIndicatorFacts.chats(from: from, to: to, on: database)
        let complaints = try await CaseIndicatorFacts.complaints(from: from, to: to, on: database)
        let contracts = try await BillingIndicatorFacts.contracts(on: database)
        let answers = try await surveyFacts(from: from, to: to)
        let calls = try await PhoneCalls(database: database).groups(month: month.description, threshold: rules.phoneThreshold)
        let lines = Dictionary(Set(calls.map(\.line)).map { ($0, lineName($0) ?? $0) }) { first, _ in first }
        let phone = PhoneIndicators.resolution(calls)
        let resolutions = [Indicators.Resolution(channel: "telefono", resolved: phone.resolved, total: phone.answered)]
            + Indicators.resolutions(chats: chats, turns: turns) + [try await CaseIndicatorFacts.firstContact(from: from, to: to, today: clock.today.description, on: database)]
        let figures = Indicators.officeTimes(turns) + PhoneIndicators.indicators(calls, lineNames: lines) + Indicators.chatFigures(chats, now: now)
            + Indicators.firstContact(resolutions) + Indicators.suggestions(try await suggestionFacts(from: from, to: to)) + Indicators.complaintIndex(complaints: complaints, contracts: contracts) + Indicators.satisfaction(answers)
        let pqr = try await CaseStatistics(database: database).month(month)
        let published = figures + Indicators.pqrOnTime(answered: pqr.answered, onTime: pqr.answeredOnTime)
            + Indicators.campaign(try await campaignSums(month: month.description))
        var result = MonthFigures(month: month, figures: Indicators.sorted(published), computedAt: now)
        result.pqr = pqr
        result.transactions = try await BillingIndicatorFacts.transactions(from: CivilDate(from)!, to: CivilDate(to)!, on: database)
            + CaseIndicatorFacts.requests(from: from, to: to, on: database)
        return result
    }

    func today() async throws -> TodayFigures {
        let now = clock.now()
        let today = clock.today
        let (from, to) = (today.description, today.adding(days: 1).description)
        let turns = try await OfficeIndicatorFacts.turns(from: from, to: to, statuses: TurnStatus.inQueue, municipalities: municipalities, on: database)
        let chats = try await LiveChatIndicatorFacts.chats(from: from, to: to, on: database)
        let queue = try await LiveChatIndicatorFacts.queue(on: database)
        let figures = Indicators.officeTimes(turns) + Indicators.chatFigures(chats, now: now) + Indicators.satisfaction(try await surveyFacts(from: from, to: to))
        return TodayFigures(
            day: today, computedAt: now, queues: Indicators.queue(turns, now: now), figures: figures,
            chatsWaiting: queue.waiting, chatsActive: queue.active,
            longestChatWait: queue.oldestWaiting.map { max(0, now.timeIntervalSince($0)) }
        )
    }

    // MARK: Reading

    /// The answers to the campaign that surveyed the month's customers, added per question.
    func campaignSums(month: String) async throws -> [Indicators.QuestionSum] {
        guard let campaign = try await SurveyCampaign.query(on: database).filter(\.$month == month).first() else { return [] }
        return SurveyCampaigns.questionSums(try await SurveyResponse.query(on: database).filter(\.$campaignID == campaign.requireID()).all())
    }

    /// The month's suggestions by area, the area named as the utility names it.
    func suggestionFacts(from: String, to: String) async throws -> [Indicators.SuggestionFact] {
        try await CaseIndicatorFacts.suggestions(from: from, to: to, on: database).map { fact in
            var named = fact
            named.area = fact.area.map { suggestionAreas[$0] ?? $0 }
            return named
        }
    }

    private var sql: any SQLDatabase { database.sql }

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
}

extension Application {
    func indicatorService() -> IndicatorService {
        IndicatorService(
            database: db, clock: clock,
            municipalities: utilityProfile?.municipalityOfOffice ?? [:],
            rules: utilityProfile?.indicatorRules ?? IndicatorRules(),
            lineName: { [profile = utilityProfile] in profile?.phoneLineName($0) },
            suggestionAreas: Dictionary((utilityProfile?.suggestionAreas ?? []).map { ($0.id, $0.name) }) { first, _ in first }
        )
    }
}
