@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Home page and demo data")
struct HomePageTests {
    @Test("The home page presents the utility in Spanish: lines, hours, offices")
    func home() async throws {
        try await withEmaApp { app in
            let utility = try #require(app.utilityProfile)
            try await app.testing().test(.GET, "/") { response in
                #expect(response.status == .ok)
                let html = response.body.string
                #expect(html.contains("lang=\"es-CO\""))
                #expect(html.contains("Hola, soy Ema"))
                for line in utility.phoneLines { #expect(html.contains(line.number)) }
                // Tap to call, tap to chat: «604 4444 115» dials 6044444115, «#376» the short code.
                #expect(html.contains(#"href="tel:6044444115""#) && html.contains(#"href="tel:%23376""#))
                #expect(html.contains(#"href="https://wa.me/573023000115""#))
                #expect(html.contains("302 3000 115"))
                #expect(html.contains("7x24"))
                #expect(html.contains("8:00 a. m. a 8:00 p. m."))
                #expect(html.contains("Oficina Bello"))
                #expect(html.contains("Cerrada temporalmente"))
                #expect(!html.lowercased().contains("construcción"))
            }
        }
    }

    @Test("The demo data covers the four segments, several municipalities and three billing periods, and loads idempotently")
    func demoData() async throws {
        try await withEmaApp { app in
            let first = try await DemoData.load(into: app)
            #expect(first.contracts.new == 50)
            let contracts = try await Contract.query(on: app.db).all()
            #expect(Set(contracts.map(\.segment)) == Set(Segment.allCases.map(\.rawValue)))
            #expect(Set(contracts.map(\.municipality)).count >= 8)
            let periods = Set(try await Invoice.query(on: app.db).all().map(\.period))
            #expect(periods.count == 3)
            let active = contracts.filter { $0.status == "activo" }.count
            #expect(first.invoices.new == active * 3)

            let second = try await DemoData.load(into: app)
            #expect(second.contracts == UpsertCounts(unchanged: 50))
            #expect(second.invoices == UpsertCounts(unchanged: active * 3))
        }
    }

    @Test("Demo bills are the last three periods already issued")
    func recentPeriods() {
        #expect(DemoData.recentPeriods(before: CivilDate("2026-11-22")!).map(\.description) == ["2026-09", "2026-10", "2026-11"])
        #expect(DemoData.recentPeriods(before: CivilDate("2026-01-02")!).map(\.description) == ["2025-10", "2025-11", "2025-12"])
    }

    @Test("/oficinas lists the directory, one municipality's with ?municipio=, and says so when there are none")
    func offices() async throws {
        try await withEmaApp { app in
            var all = ""
            try await app.testing().test(.GET, "oficinas") { all = $0.body.string }
            #expect(all.contains("Oficina Bello") && all.contains("Oficina Miguel de Aguinaga"))
            try await app.testing().test(.GET, "oficinas?municipio=bello") { response in
                let body = response.body.string
                #expect(response.status == .ok && body.contains("Oficina Bello") && !body.contains("Oficina Miguel de Aguinaga"))
            }
            try await app.testing().test(.GET, "oficinas?municipio=Gotham") { response in
                #expect(response.status == .notFound && response.body.string.contains("No tenemos oficinas en «Gotham»"))
            }
            let knowledge = app.assistant.knowledge
            #expect(knowledge.officeDirectory.count == app.utilityProfile?.offices.filter(\.open).count)
            #expect(Set(knowledge.municipalityPoints.map(\.name)).isSuperset(of: Set(knowledge.officeDirectory.map(\.municipality))))
        }
    }
}
