@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing

@Suite("The demo data set")
struct DemoDataTests {
    @Test("Only the demo's contracts get made-up bills; loading twice changes nothing; earlier bills are mostly settled")
    func onlyDemoContracts() async throws {
        try await withEmaApp { app in
            let csv = "contract_number,holder_name,address,municipality,segment,services\n55550001,Cliente Real,CL 1 2 3,Medellín,hogares,energia\n"
            _ = try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.contracts, path: try temporaryFile(csv))
            let first = try await DemoData.load(into: app)
            let real = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "55550001").first())
            #expect(try await Invoice.query(on: app.db).filter(\.$contract.$id == real.requireID()).count() == 0)
            #expect(first.invoices.new > 0)
            let again = try await DemoData.load(into: app)
            #expect(again.invoices.new == 0 && again.invoices.updated == 0)
            let invoices = try await Invoice.query(on: app.db).all()
            let latest = try #require(invoices.map(\.period).max())
            #expect(invoices.filter { $0.period == latest }.allSatisfy { $0.paidCOP == 0 })
            let older = invoices.filter { $0.period != latest }
            let unpaid = older.filter { $0.paidCOP == 0 }.count
            #expect(unpaid > 0 && unpaid < older.count / 4)
        }
    }
}
