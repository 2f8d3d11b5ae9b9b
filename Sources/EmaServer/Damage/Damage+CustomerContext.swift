import EmaCore
import Fluent
import Foundation

/// The number's damage reports, newest first.
struct DamageCustomerContext: CustomerContextSource {
    func section(for phone: String, on database: any Database) async throws -> CustomerContextSection? {
        let reports = try await DamageReportRecord.query(on: database).filter(\.$phone == phone).sort(\.$createdAt, .descending).limit(10).all()
        guard !reports.isEmpty else { return nil }
        return CustomerContextSection(title: "Reportes de daños", items: reports.map {
            .init(label: $0.number, detail: "\(DamageService(rawValue: $0.service)?.title ?? $0.service) · \($0.status.title) · \($0.createdAt.bogotaStamp)", link: nil)
        })
    }
}
