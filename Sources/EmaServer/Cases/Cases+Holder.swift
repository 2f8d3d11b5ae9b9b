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
            return .init(label: "\(row.typeTitle) \(row.radicado)", details: details)
        }
    }

    /// Anonymises the cases and scrubs their history, where the number may be written (the proof
    /// of an SMS, an agent's note) in full, in national form or masked as earlier versions did
    /// (seven digits), and the identification, e-mail and name as the holder gave them.
    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let sql = database.sql
        let cases = try await PQRCase.query(on: database).filter(\.$phone == holder.phone).all()
        for row in cases {
            let traces = Self.traces(of: holder.phone) + [row.idNumber, row.email].compactMap { $0 }
            try await CaseEvents.erase(traces, name: row.name, inCase: row.requireID(), on: database)
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
    /// Replaces a holder's traces by «suprimido» in the case's history: `exact` (the number's
    /// forms, the identification, the e-mail) wherever written; the name as a phrase and each of
    /// its words of four letters or more, as whole words whatever their case and accents (so
    /// «Ana» goes from «Ana Restrepo» but «Analizamos» stays, and «restrepo» goes as well).
    static func erase(_ exact: [String], name: String?, inCase id: UUID, on database: any Database) async throws {
        for event in try await CaseEvent.query(on: database).filter(\.$caseID == id).all() {
            let scrubbed = scrub(event.detail, exact: exact, name: name)
            guard scrubbed != event.detail else { continue }
            event.detail = scrubbed
            try await event.save(on: database)
        }
    }

    static func scrub(_ text: String, exact: [String], name: String?) -> String {
        var text = text
        for trace in exact where trace.trimmingCharacters(in: .whitespaces).count >= 4 {
            text = text.replacingOccurrences(of: trace, with: Erased.text)
        }
        let words = (name ?? "").split(whereSeparator: { !$0.isLetter }).map(String.init)
        for phrase in [words.joined(separator: " ")] + words.filter({ $0.count >= 4 }) where !phrase.isEmpty {
            text = replacingWholeWords(phrase, in: text)
        }
        return text
    }

    static func replacingWholeWords(_ phrase: String, in text: String) -> String {
        var result = text
        var from = 0
        while let range = result.range(of: phrase, options: [.caseInsensitive, .diacriticInsensitive],
                                       range: result.index(result.startIndex, offsetBy: from)..<result.endIndex) {
            let offset = result.distance(from: result.startIndex, to: range.lowerBound)
            let before = range.lowerBound > result.startIndex ? result[result.index(before: range.lowerBound)] : " "
            let after = range.upperBound < result.endIndex ? result[range.upperBound] : " "
            if before.isLetter || before.isNumber || after.isLetter || after.isNumber {
                from = result.distance(from: result.startIndex, to: range.upperBound)
                continue
            }
            result.replaceSubrange(range, with: Erased.text)
            from = offset + Erased.text.count
        }
        return result
    }
}
