import Fluent
import Foundation
import SQLKit

/// A holder's damage reports: the report stays (the crews need the place), the number goes.
struct DamageHolderRecords: HolderRecords {
    let title = "Reportes de daños"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        try await DamageReportRecord.query(on: database).filter(\.$phone == holder.phone).sort(\.$createdAt).all().map {
            .init(label: "Reporte \($0.number)", details: ["\($0.service), el \($0.createdAt.bogotaStamp); estado: \($0.status)", "Lugar: \($0.address ?? "ubicación compartida")", $0.description])
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await (database as! any SQLDatabase).update(DamageReportRecord.schema).set("phone", to: SQLLiteral.null)
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}
