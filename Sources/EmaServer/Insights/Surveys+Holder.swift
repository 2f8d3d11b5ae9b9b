import Fluent
import Foundation
import SQLKit

/// A holder's survey invitations: the answers never carried the number; the invitations lose
/// it (a campaign's subject carried it too).
struct SurveyHolderRecords: HolderRecords {
    let title = "Encuestas de satisfacción"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        let phone = holder.phone
        return try await SurveyInvitation.query(on: database).filter(\.$phone == phone).sort(\.$createdAt).all().map {
            .init(label: "Invitación a encuesta (\(SurveyService.Kind(rawValue: $0.kind)?.title ?? $0.kind))", details: [
                "Enviada por SMS el \($0.createdAt.bogotaStamp); \($0.answeredAt.map { "respondida el \($0.bogotaStamp)" } ?? "sin responder")",
            ])
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let phone = holder.phone
        var touched = 0
        for invitation in try await SurveyInvitation.query(on: database).filter(\.$phone == phone).all() {
            invitation.phone = nil
            invitation.subject = invitation.subject.replacingOccurrences(of: phone, with: Erased.text)
            try await invitation.save(on: database)
            touched += 1
        }
        return touched
    }
}
