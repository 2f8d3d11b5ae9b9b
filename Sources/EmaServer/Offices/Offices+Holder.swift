import EmaCore
import Fluent
import Foundation
import SQLKit

/// A holder's turns at the offices: the turn stays (the office's figures), the number goes.
struct OfficeHolderRecords: HolderRecords {
    let title = "Turnos en oficinas"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        try await OfficeTurn.query(on: database).filter(\.$phone == holder.phone).sort(\.$createdAt).all().map {
            .init(label: "Turno \($0.code)", details: ["\($0.office), \(CivilDate($0.day)?.displayName ?? $0.day) a las \($0.slot); estado: \($0.status.title.lowercased())"])
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await database.sql.update(OfficeTurn.schema).set("phone", to: SQLLiteral.null)
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}
