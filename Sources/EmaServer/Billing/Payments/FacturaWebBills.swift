import EmaCore
import Fluent
import Foundation

/// A contract's latest bills as Ema and Factura Web show them: standing computed with today's
/// date in Bogotá, PDF behind an expiring link that shows the holder masked (a contract number
/// is all it takes to get here).
struct FacturaWebBills {
    let database: any Database
    let clock: AppClock
    let publicURL: String

    /// Periods told, newest first.
    static let periods = 6

    struct Loaded {
        let contract: Contract
        let bills: [(invoice: Invoice, summary: BillSummary)]
    }

    func load(contractNumber: String) async throws -> Loaded? {
        guard let contract = try await Contract.query(on: database).filter(\.$contractNumber == contractNumber).first() else { return nil }
        let invoices = try await Invoice.query(on: database)
            .filter(\.$contract.$id == contract.requireID())
            .sort(\.$period, .descending)
            .limit(Self.periods)
            .all()
        let links = BillLinks(database: database, clock: clock)
        let today = clock.today
        var bills: [(invoice: Invoice, summary: BillSummary)] = []
        for invoice in invoices {
            bills.append((invoice, BillSummary(
                period: BillingPeriod(invoice.period)?.displayName ?? invoice.period,
                dueDate: CivilDate(invoice.dueDate)?.displayName ?? invoice.dueDate,
                standing: invoice.standing(today: today),
                pdfURL: "\(publicURL)/facturas/\(try await links.token(for: invoice.requireID(), masked: true)).pdf",
                filename: "factura-\(contract.contractNumber)-\(invoice.period).pdf"
            )))
        }
        return Loaded(contract: contract, bills: bills)
    }

    func bills(contractNumber: String) async throws -> ContractBills? {
        guard let loaded = try await load(contractNumber: contractNumber) else { return nil }
        let contract = loaded.contract
        return ContractBills(
            contractNumber: contract.contractNumber, maskedHolder: Masking.name(contract.holderName),
            maskedAddress: "\(Masking.address(contract.address)) · \(contract.municipality)",
            payURL: "\(publicURL)/factura/\(contract.contractNumber)", bills: loaded.bills.map(\.summary)
        )
    }
}
