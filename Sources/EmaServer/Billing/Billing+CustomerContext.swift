import EmaCore
import Fluent
import Foundation

/// The number's contracts on Tu factura por WhatsApp, with the masked address.
struct BillingCustomerContext: CustomerContextSource {
    func section(for phone: String, on database: any Database) async throws -> CustomerContextSection? {
        let contracts = try await EnrollmentService(database: database, clock: .system).active(phone: phone)
        guard !contracts.isEmpty else { return nil }
        return CustomerContextSection(title: "Contratos inscritos", items: contracts.map {
            .init(label: "Contrato \($0.contractNumber)", detail: $0.maskedAddress, link: nil)
        })
    }
}
