import EmaCore
import Fluent
import Foundation
import SQLKit

/// A holder's PQRs. The law keeps the records (terms, answers, statistics for the SSPD), so
/// suppression anonymises them: name, identification, number and e-mail go, the case stays.
struct CaseHolderRecords: HolderRecords {
    let title = "Peticiones, quejas y reclamos (PQR)"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        try await PQRCase.query(on: database).filter(\.$phone == holder.phone).sort(\.$filedAt).all().map { row in
            var details = ["Radicada el \(row.filedAt.bogotaStamp) por \(row.channelValue.title); estado: \(row.statusValue.publicTitle.lowercased())", "Lo que nos contaste: \(row.description)"]
            if let name = row.name { details.append("Nombre: \(name)") }
            if let id = row.idNumber { details.append("Identificación: \(id)") }
            if let email = row.email { details.append("Correo: \(email)") }
            if let contract = row.contractNumber { details.append("Contrato: \(contract)") }
            return .init(label: "\(row.typeValue.title) \(row.radicado)", details: details)
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await (database as! any SQLDatabase).update(PQRCase.schema)
            .set("name", to: SQLLiteral.null).set("id_number", to: SQLLiteral.null).set("email", to: SQLLiteral.null)
            .set("phone", to: SQLLiteral.null).set("anonymous", to: SQLLiteral.boolean(true))
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}
