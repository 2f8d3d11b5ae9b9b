import EmaCore
import Fluent
import Foundation
import Vapor

/// The demo data set of `ema serve --demo`: 50 fictional contracts across the four segments and
/// several municipalities of Antioquia (`Resources/demo/contracts.csv`, imported through the same
/// importer as real files) and their bills for the last three periods. Loading twice changes
/// nothing: the same rows are upserted and come out unchanged.
enum DemoData {
    struct Summary: Sendable {
        let contracts: UpsertCounts
        let invoices: UpsertCounts
    }

    static func load(into app: Application) async throws -> Summary {
        let path = app.directory.resourcesDirectory + "demo/contracts.csv"
        let importer = CSVFileImporter(database: app.db, clock: app.clock)
        guard case .imported(let contracts, _) = try await importer.importFile(.contracts, path: path) else {
            throw CommandFailure("Los datos de demostración (\(path)) no son válidos.")
        }
        let today = app.clock.today
        // Only the demo's own contracts get made-up bills, whatever else the database holds.
        let numbers = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .compactMap { $0.split(separator: ",").first.map(String.init) }
        let active = try await Contract.query(on: app.db)
            .filter(\.$status == ContractStatus.activo.rawValue)
            .filter(\.$contractNumber ~~ numbers)
            .all()
        let rows = active.flatMap { contract in
            recentPeriods(before: today).map { invoice(for: contract, period: $0) }
        }
        let store = BillingStore(database: app.db, now: app.clock.now())
        let ids = Dictionary(uniqueKeysWithValues: active.compactMap { contract in contract.id.map { (contract.contractNumber, $0) } })
        var invoices = UpsertCounts()
        for start in stride(from: 0, to: rows.count, by: BillingStore.batchSize) {
            invoices += try await store.upsertInvoices(Array(rows[start..<min(rows.count, start + BillingStore.batchSize)]), contractIDs: ids)
        }
        try await settleOlderBills(app, periods: recentPeriods(before: today).dropLast(), contracts: active)
        // Two prepaid meters and their recharges (`/prepago`; codes go to 300 555 0123 and 300 555 0456).
        guard case .imported = try await importer.importFile(.prepaid, path: app.directory.resourcesDirectory + "demo/prepaid.csv") else {
            throw CommandFailure("Los datos de demostración de prepago no son válidos.")
        }
        // A SOMOS card (`/somos`: cédula 43512876, ending 4417; codes go to 300 555 0789).
        guard case .imported = try await importer.importFile(.somos, path: app.directory.resourcesDirectory + "demo/somos.csv") else {
            throw CommandFailure("Los datos de demostración de SOMOS no son válidos.")
        }
        return Summary(contracts: contracts, invoices: invoices)
    }

    /// Most customers paid their earlier bills: those are settled (as if paid at a bank), so the
    /// latest bill is what is owed. One contract in four keeps the previous bill unpaid, to show
    /// an overdue bill. Only bills never paid are touched, so loading twice changes nothing.
    static func settleOlderBills(_ app: Application, periods: some Collection<BillingPeriod>, contracts: [Contract]) async throws {
        let owing = Set(contracts.filter { StableHash.fnv1a("mora-\($0.contractNumber)") % 4 == 0 }.compactMap(\.id))
        let latestOlder = periods.max()
        for invoice in try await Invoice.query(on: app.db).filter(\.$period ~~ periods.map(\.description)).filter(\.$paidCOP == 0).all() {
            if owing.contains(invoice.$contract.id), invoice.period == latestOlder?.description { continue }
            invoice.paidCOP = invoice.amountCOP
            invoice.paidAt = app.clock.now()
            try await invoice.save(on: app.db)
        }
    }

    /// Bills are issued on the 3rd and due 20 days later: the last three periods already issued.
    static func recentPeriods(before today: CivilDate) -> [BillingPeriod] {
        var period = BillingPeriod(containing: today)
        if today.day < 3 { period = period.previous }
        return [period.previous.previous, period.previous, period]
    }

    static func invoice(for contract: Contract, period: BillingPeriod) -> InvoiceRow {
        let issue = CivilDate(year: period.year, month: period.month, day: 3)!
        return InvoiceRow(
            invoiceNumber: "\(contract.contractNumber)-\(period.year)\(period.month < 10 ? "0" : "")\(period.month)",
            contractNumber: contract.contractNumber,
            period: period,
            issueDate: issue,
            dueDate: issue.adding(days: 20),
            amountCOP: amount(for: contract, period: period)
        )
    }

    /// A stable, plausible amount per contract and period, rounded to hundreds of pesos.
    static func amount(for contract: Contract, period: BillingPeriod) -> Int64 {
        let hash = StableHash.fnv1a("\(contract.contractNumber)\(period)")
        let range: ClosedRange<Int64> = switch contract.segmentValue ?? .hogares {
        case .hogares: 65_000...420_000
        case .empresas: 350_000...2_800_000
        case .grandesClientes: 6_000_000...48_000_000
        case .gobierno: 1_200_000...9_500_000
        }
        let value = range.lowerBound + Int64(hash % UInt64(range.upperBound - range.lowerBound))
        return value / 100 * 100
    }
}
