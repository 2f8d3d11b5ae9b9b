import EmaCore
import Fluent
import Foundation
import Vapor

/// Records survey answers, once per subject: a second answer to the same chat, queja, turn or
/// invitation is refused (`false`), never counted twice.
struct SurveyService {
    let database: any Database
    let clock: AppClock

    typealias Kind = SurveyKind

    struct Answer {
        var kind: Kind
        var subject: String
        var channel: String
        var score: Int
        var answers: [String: Int] = [:]
        var comment: String?
        var office: String?
        var municipality: String?
        var segment: String?
        var campaignID: UUID?
    }

    /// Stores an answer; false when the subject was already rated or the score is not 1–5.
    @discardableResult
    func record(_ answer: Answer) async throws -> Bool {
        guard (1...5).contains(answer.score), answer.answers.values.allSatisfy({ (1...5).contains($0) }) else { return false }
        if try await SurveyResponse.query(on: database).filter(\.$kind == answer.kind.rawValue).filter(\.$subject == answer.subject).count() > 0 {
            return false
        }
        let row = SurveyResponse()
        row.kind = answer.kind.rawValue
        row.subject = answer.subject
        row.channel = answer.channel
        row.score = answer.score
        if !answer.answers.isEmpty {
            row.answers = String(decoding: try JSONEncoder().encode(answer.answers), as: UTF8.self)
        }
        let comment = answer.comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        row.comment = comment?.isEmpty == false ? String(comment!.prefix(1_000)) : nil
        row.answeredAt = clock.now()
        row.answeredOn = clock.today.description
        row.office = answer.office
        row.municipality = answer.municipality
        row.segment = answer.segment
        row.campaignID = answer.campaignID
        do {
            try await row.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
        return true
    }
}

extension Application {
    func surveyService(database: (any Database)? = nil) -> SurveyService {
        SurveyService(database: database ?? db, clock: clock)
    }
}
