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

    /// Anonymises the cases and scrubs their history, where the number may be written (the proof
    /// of an SMS, an agent's note) in full, in national form or masked as earlier versions did
    /// (seven digits), and the name as the holder gave it.
    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        let cases = try await PQRCase.query(on: database).filter(\.$phone == holder.phone).all()
        for row in cases {
            let traces = Self.traces(of: holder.phone) + (row.name.map { [$0] } ?? []) + (row.idNumber.map { [$0] } ?? [])
            try await CaseEvents.erase(traces, inCase: row.requireID(), on: sql)
        }
        return try await sql.update(PQRCase.schema)
            .set("name", to: SQLLiteral.null).set("id_number", to: SQLLiteral.null).set("email", to: SQLLiteral.null)
            .set("phone", to: SQLLiteral.null).set("anonymous", to: SQLLiteral.boolean(true))
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }

    /// The ways a number appears in text: `+573001234567`, `3001234567`, `300 123 4567`, and
    /// the old mask `+57300•••4567`; then today's mask (two digits), which may stay.
    static func traces(of phone: String) -> [String] {
        var forms = [phone]
        if phone.hasPrefix("+57"), phone.count == 13 {
            let national = String(phone.dropFirst(3))
            forms += [national, ColombianMobile.display(phone), String(phone.prefix(6)) + "•••" + String(phone.suffix(4))]
        }
        return forms.filter { $0.count >= 4 }
    }
}

/// The history lines of a case, rewritten only to erase a suppressed holder's traces.
enum CaseEvents {
    /// Replaces each of `traces` by «suprimido» in the case's history (one statement per trace,
    /// the same on SQLite and PostgreSQL).
    static func erase(_ traces: [String], inCase id: UUID, on sql: any SQLDatabase) async throws {
        for trace in traces where !trace.trimmingCharacters(in: .whitespaces).isEmpty {
            try await sql.update(CaseEvent.schema)
                .set("detail", to: SQLFunction("REPLACE", args: SQLColumn("detail"), SQLBind(trace), SQLBind(Erased.text)))
                .where("case_id", .equal, SQLBind(id))
                .run()
        }
    }
}
