@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Factura Web with several bills open")
struct FacturaWebTests {
    @Test("Overdue bills come first, the oldest first, under a warning; the total owed is said once more than one bill is open")
    func severalOpen() async throws {
        let manual = AppClock.Manual(bogota(12, on: "2026-12-07"))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            let bills = try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).sort(\.$period).all()
            try #require(bills.count >= 3)
            // The two oldest unpaid and past due, the newest unpaid and in term.
            for (index, bill) in bills.suffix(3).enumerated() {
                bill.paidCOP = 0
                bill.paidAt = nil
                bill.dueDate = index < 2 ? "2026-11-1\(index)" : "2026-12-20"
                try await bill.save(on: app.db)
            }
            let open = Array(bills.suffix(3))
            let page = try await FacturaWebClient(tester: try app.testing()).get("factura/10234567").body
            #expect(page.contains("Tienes 2 facturas vencidas"))
            let total = open.reduce(Int64(0)) { $0 + $1.amountCOP }
            #expect(page.contains("Total por pagar: <strong>\(Money.format(cop: total)) en 3 facturas</strong>"))
            let order = open.map { bill in page.range(of: "data-factura=\"\(bill.invoiceNumber)\"")!.lowerBound }
            // Oldest overdue, then the other overdue, then the one in term.
            #expect(order[0] < order[1] && order[1] < order[2])
        }
    }
}
