import EmaCore
import Fluent
import Foundation
import Vapor

enum SurveyCampaignError: EmaError, Equatable {
    case invalidMonth, alreadyLaunched(String), noRecipients, badPhones([String])

    var status: HTTPResponseStatus {
        switch self {
        case .alreadyLaunched: .conflict
        default: .badRequest
        }
    }

    var code: String {
        switch self {
        case .invalidMonth: "invalid_month"
        case .alreadyLaunched: "campaign_exists"
        case .noRecipients: "no_recipients"
        case .badPhones: "invalid_phone"
        }
    }

    var reason: String {
        switch self {
        case .invalidMonth: "Elige un mes que ya haya empezado, como 2026-11."
        case .alreadyLaunched(let month): "Ya se envió la encuesta de \(month); cada mes se encuesta una sola vez."
        case .noRecipients: "Ese mes no hay clientes atendidos en oficinas con celular, ni números de la línea telefónica: no hay a quién enviar la encuesta."
        case .badPhones(let lines): "Estos números no son celulares colombianos: \(lines.prefix(5).joined(separator: ", "))\(lines.count > 5 ? " y \(lines.count - 5) más" : ""). Corrígelos o quítalos; no se envió nada."
        }
    }
}

/// The periodic satisfaction survey (every `everyMonths`, four by default; seed 002): to the customers attended
/// in offices in a month (their turns' numbers) and those attended by phone (numbers the
/// supervisor pastes from the phone platform), with several questions, by SMS link.
struct SurveyCampaigns {
    let database: any Database
    let clock: AppClock
    let invitations: SurveyInvitations
    /// The numbers of the customers attended in the offices between two days (Offices answers).
    let attended: @Sendable (_ from: String, _ before: String) async throws -> [(phone: String, office: String?)]
    /// The municipality of each office, for the results by municipality.
    let municipalityOfOffice: [String: String]

    /// Months between campaigns (`surveys.campaignEveryMonths` in utility.json: the seeds say
    /// four in one place and three in another; four when absent).
    var everyMonths = 4

    struct Launched: Equatable {
        let campaign: UUID
        let invited: Int
        let fromOffices: Int
        let fromPhone: Int
    }

    func launch(month typed: String, phoneLines: String, by staff: String) async throws -> Launched {
        guard let period = BillingPeriod(typed), period <= BillingPeriod(containing: clock.today) else { throw SurveyCampaignError.invalidMonth }
        let month = period.description
        var bad: [String] = []
        var byPhone: [String] = []
        for line in phoneLines.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            if let phone = ColombianMobile.e164(line) { byPhone.append(phone) } else { bad.append(line) }
        }
        guard bad.isEmpty else { throw SurveyCampaignError.badPhones(bad) }
        if try await SurveyCampaign.query(on: database).filter(\.$month == month).count() > 0 { throw SurveyCampaignError.alreadyLaunched(month) }
        let (from, to) = CaseStatistics.dates(of: period)
        var recipients = try await attended(from, to)
        let fromOffices = Set(recipients.map(\.phone))
        let phoneOnly = Array(Set(byPhone).subtracting(fromOffices)).sorted()
        recipients += phoneOnly.map { ($0, nil) }
        guard !recipients.isEmpty else { throw SurveyCampaignError.noRecipients }

        let campaign = SurveyCampaign()
        campaign.id = UUID()
        campaign.month = month
        campaign.createdAt = clock.now()
        campaign.createdBy = staff
        campaign.invited = recipients.count
        let offices = municipalityOfOffice
        let key = try await invitations.linkKey()
        // The campaign and every invitation (with its SMS job) commit together: a launch cut
        // short leaves nothing, and may be started again.
        do {
            try await database.writeTransaction { [invitations, recipients] tx in
                try await campaign.create(on: tx)
                // Recipients are distinct already; the subject only has to be unique, and names nobody.
                for (index, recipient) in recipients.enumerated() {
                    try await invitations.on(tx).invite(kind: .campana, subject: "\(campaign.id!)/\(index)", phone: recipient.phone,
                                                        office: recipient.office, municipality: recipient.office.flatMap { offices[$0] }, campaign: campaign.id, key: key)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw SurveyCampaignError.alreadyLaunched(month)
        }
        await invitations.wake()
        return Launched(campaign: campaign.id!, invited: recipients.count, fromOffices: fromOffices.count, fromPhone: phoneOnly.count)
    }

    struct Result: Encodable {
        let month: String
        let launchedOn: String
        let invited: Int
        let answered: Int
        /// Average per question (one decimal), in the questions' order.
        let averages: [Average]

        struct Average: Encodable { let question: String; let value: String }
    }

    func results() async throws -> [Result] {
        var results: [Result] = []
        for campaign in try await SurveyCampaign.query(on: database).sort(\.$month, .descending).limit(12).all() {
            let answers = try await SurveyResponse.query(on: database).filter(\.$campaignID == campaign.requireID()).all()
            results.append(Result(
                month: campaign.month, launchedOn: CivilDate(bogotaAt: campaign.createdAt.timeIntervalSince1970).displayName,
                invited: campaign.invited, answered: answers.count,
                averages: Self.questionSums(answers).map { sum in
                    .init(question: sum.text, value: sum.count == 0 ? "—" : SpanishNumber.decimal(Double(sum.total) / Double(sum.count), places: 1))
                }
            ))
        }
        return results
    }

    /// A campaign's answers added per question, in the questions' order (the overall score is
    /// the general question; the others come in `answers`).
    static func questionSums(_ answers: [SurveyResponse]) -> [Indicators.QuestionSum] {
        var sums: [String: (total: Int, count: Int)] = [:]
        for answer in answers {
            sums["general", default: (0, 0)].total += answer.score
            sums["general", default: (0, 0)].count += 1
            let extra = (try? JSONDecoder().decode([String: Int].self, from: Data((answer.answers ?? "{}").utf8))) ?? [:]
            for (question, score) in extra where (1...5).contains(score) {
                sums[question, default: (0, 0)].total += score
                sums[question, default: (0, 0)].count += 1
            }
        }
        return SurveyInvitations.campaignQuestions.map { Indicators.QuestionSum(id: $0.id, text: $0.text, total: sums[$0.id]?.total ?? 0, count: sums[$0.id]?.count ?? 0) }
    }

    /// The month the next campaign is due: `everyMonths` after the last one, or last month.
    func nextDue() async throws -> String {
        guard let last = try await SurveyCampaign.query(on: database).sort(\.$month, .descending).first(), var due = BillingPeriod(last.month) else {
            return BillingPeriod(containing: clock.today).previous.description
        }
        for _ in 0..<everyMonths { due = due.next }
        return due.description
    }
}

extension Application {
    func surveyCampaigns() -> SurveyCampaigns {
        var campaigns = SurveyCampaigns(database: db, clock: clock, invitations: surveyInvitations(), attended: { [self] in
            try await turnService().attendedPhones(from: $0, before: $1).map { ($0.phone, $0.office) }
        }, municipalityOfOffice: utilityProfile?.municipalityOfOffice ?? [:])
        campaigns.everyMonths = utilityProfile?.surveys?.campaignEveryMonths ?? 4
        return campaigns
    }
}
