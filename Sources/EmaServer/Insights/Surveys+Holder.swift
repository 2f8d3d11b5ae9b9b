import Fluent
import Foundation
import SQLKit

/// A holder's survey invitations: the answers never carried the number; the invitations lose it.
struct SurveyHolderRecords: HolderRecords {
    let title = "Encuestas de satisfacción"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        try await SurveyInvitation.query(on: database).filter(\.$phone == holder.phone).sort(\.$createdAt).all().map {
            .init(label: "Invitación a encuesta (\(SurveyService.Kind(rawValue: $0.kind)?.title ?? $0.kind))", details: [
                "Enviada por SMS el \($0.createdAt.bogotaStamp); \($0.answeredAt.map { "respondida el \($0.bogotaStamp)" } ?? "sin responder")",
            ])
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await database.sql.update(SurveyInvitation.schema).set("phone", to: SQLLiteral.null)
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}
