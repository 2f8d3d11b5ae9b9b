import EmaCore
import Fluent
import Foundation

/// The number's PQRs, newest first: type, status and the term.
struct CasesCustomerContext: CustomerContextSource {
    func section(for phone: String, on database: any Database) async throws -> CustomerContextSection? {
        let cases = try await PQRCase.query(on: database).filter(\.$phone == phone).sort(\.$filedOn, .descending).limit(10).all()
        guard !cases.isEmpty else { return nil }
        return CustomerContextSection(title: "PQR", items: cases.map { row in
            let due = CivilDate(row.extendedDueOn ?? row.dueOn)?.displayName ?? row.dueOn
            return .init(label: "\(row.typeValue.title) \(row.radicado)", detail: "\(row.statusValue.title) · vence el \(due)", link: "/backoffice/pqr/\(row.radicado)")
        })
    }
}
