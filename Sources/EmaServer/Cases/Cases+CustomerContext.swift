import EmaCore
import Fluent
import Foundation

/// The number's PQRs, newest first: type, status and the term.
struct CasesCustomerContext: CustomerContextSource {
    func section(for phone: String, on database: any Database) async throws -> CustomerContextSection? {
        let cases = try await PQRCase.query(on: database).filter(\.$phone == phone).sort(\.$filedOn, .descending).limit(10).all()
        guard !cases.isEmpty else { return nil }
        return CustomerContextSection(title: "PQR", items: cases.map { row in
            // An open case says when its term ends; an answered one, when it was answered.
            let when = row.statusValue.isOpen
                ? "vence el \(CivilDate(row.effectiveDue)?.displayName ?? row.effectiveDue)"
                : row.answeredOn.flatMap(CivilDate.init).map { "respondida el \($0.displayName)" } ?? ""
            return .init(label: "\(row.typeTitle) \(row.radicado)", detail: [row.statusValue.title, when].filter { !$0.isEmpty }.joined(separator: " · "),
                         link: "/backoffice/pqr/\(row.radicado)")
        })
    }
}
