import EmaCore
import Fluent
import Foundation
import Vapor

/// The demo's periodic survey: the campaign that asked last month's customers, launched on the
/// first of this month, with the answers that came back (five questions each), so the public
/// page shows a campaign's results. Loading twice adds nothing (one campaign per month).
enum DemoCampaign {
    static let answers = 36

    /// Returns how many answers were added.
    static func load(into app: Application) async throws -> Int {
        let now = app.clock.now()
        let current = BillingPeriod(containing: app.clock.today)
        let month = current.previous.description
        let launched = CivilDate(year: current.year, month: current.month, day: 1)!.startInBogota.addingTimeInterval(9 * 3_600)
        guard launched <= now, try await SurveyCampaign.query(on: app.db).filter(\.$month == month).count() == 0 else { return 0 }
        let campaign = SurveyCampaign()
        campaign.id = UUID()
        campaign.month = month
        campaign.createdAt = launched
        campaign.createdBy = "supervisor@ema.demo"
        campaign.invited = answers * 3
        let offices = Array(app.turnOffices.prefix(DemoIndicators.officeCount))
        var responses: [SurveyResponse] = []
        for index in 0..<answers {
            let at = launched.addingTimeInterval(Double(index) * 1_800 + 600)
            guard at <= now else { break }
            var random = SplitMix64(seed: StableHash.fnv1a("campana|\(month)|\(index)"))
            func score() -> Int { DemoIndicators.scores[Int(random.next() % UInt64(DemoIndicators.scores.count))] }
            let answer = DemoIndicators.answer(kind: .campana, subject: "\(campaign.id!)/\(index)", channel: "sms", score: score(), at: at)
            let others = Dictionary(uniqueKeysWithValues: SurveyInvitations.campaignQuestions.dropFirst().map { ($0.id, score()) })
            answer.answers = String(decoding: try JSONEncoder().encode(others), as: UTF8.self)
            answer.campaignID = campaign.id
            if index % 3 != 2, !offices.isEmpty {
                let office = offices[index % offices.count]
                answer.office = office.name
                answer.municipality = office.municipality
            }
            responses.append(answer)
        }
        try await app.db.writeTransaction { [campaign, responses] tx in
            try await campaign.create(on: tx)
            for response in responses { try await response.create(on: tx) }
        }
        return responses.count
    }
}
