import EmaCore
import Fluent
import Foundation
import SQLKit

/// A holder's damage reports: the report stays (the crews need the place), the number goes.
struct DamageHolderRecords: HolderRecords {
    let title = "Reportes de daños"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        try await DamageReportRecord.query(on: database).filter(\.$phone == holder.phone).sort(\.$createdAt).all().map { report in
            let service = DamageService(rawValue: report.service)?.title ?? report.service
            let status = report.status.title
            return .init(label: "Reporte \(report.number)", details: [
                "\(service), el \(report.createdAt.bogotaStamp); estado: \(status.lowercased())",
                "Lugar: \(report.address ?? "ubicación compartida")", report.description,
            ])
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await database.sql.update(DamageReportRecord.schema).set("phone", to: SQLLiteral.null)
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}
