@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("SOMOS card certificates: import, the holder's code, debt and income-tax certificates, verification")
struct SomosTests {
    @Test("Bad lines import nothing; the card's number and the cédula are kept only as HMACs")
    func importRules() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("somos-\(UUID().uuidString).csv").path
            try """
                card_number,holder_id,holder_name,mobile,movement_id,date,kind,amount_cop,balance_cop
                589012345678,43512876,Ana,3001234567,X-1,2025-02-30,regalo,-1,10
                5890123456781111,123,Ana Gómez,3001234567,X-1,2025-02-01,compra,1000,1000
                """.write(toFile: path, atomically: true, encoding: .utf8)
            guard case .rejected(let problems) = try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.somos, path: path) else {
                Issue.record("a bad file was imported")
                return
            }
            let text = problems.map(\.description).joined(separator: "\n")
            for column in ["card_number", "date", "kind", "amount_cop", "holder_id"] { #expect(text.contains(column), "\(column)") }
            #expect(problems.contains { $0.line == 3 && $0.column == "holder_id" } && problems.allSatisfy { $0.line == 2 || $0.line == 3 })
            let stored = try await app.db.sql.raw("SELECT card_hash, holder_hash, last4 FROM somos_cards").all()
            #expect(stored.count == 1)
            let row = try #require(stored.first)
            #expect(try row.decode(column: "last4", as: String.self) == "4417")
            #expect(!(try row.decode(column: "card_hash", as: String.self)).contains("5890123456784417"))
            #expect(!(try row.decode(column: "holder_hash", as: String.self)).contains("43512876"))
        }
    }

    @Test("Cédula and last four digits, the code to the card's mobile, then the debt certificate and 2025's; a year without data is said so")
    func certificates() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-07"))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            let web = FacturaWebClient(tester: try app.testing())
            let wrong = try await web.post("somos/codigo", ["cedula": "43512876", "ultimos": "0000"])
            #expect(wrong.status == .notFound && wrong.body.contains("No encontramos una tarjeta SOMOS"))
            let asked = try await web.post("somos/codigo", ["cedula": "43.512.876", "ultimos": "4417"])
            #expect(asked.body.contains("*** *** 0789"))
            try await drainJobs(app)
            let sms = try #require(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573005550789").first())
            let code = String(try #require(sms.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))
            let shown = try await web.post("somos/consulta", ["cedula": "43512876", "ultimos": "4417", "codigo": code])
            #expect(shown.body.contains(#"id="saldo">$ 1.207.500"#) && shown.body.contains("Año 2025 (PDF)") && !shown.body.contains("Año 2026"))
            let links = shown.body.matches(of: /href="(\/somos\/certificado\/[^"]+)"/).map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
            #expect(links.count == 2)
            let debt = try await web.get(String(links[0].dropFirst()))
            #expect(debt.status == .ok && debt.body.contains("1.207.500") && debt.body.contains("Diana Patricia"))
            let tax = try await web.get(String(links[1].dropFirst()))
            #expect(tax.body.contains("1.407.500") && tax.body.contains("57.500") && tax.body.contains("450.000"))
            let verification = try #require(tax.body.range(of: #"EMA-[A-Z0-9]{5}-[A-Z0-9]{5}"#, options: .regularExpression).map { String(tax.body[$0]) })
            let verified = try await web.get("certificados/verificar?codigo=\(verification)")
            #expect(verified.body.contains("para declaración de renta 2025") && verified.body.contains("SOMOS terminada en 4417") && !verified.body.contains("Diana Patricia"))
            let none = try await web.get(String(links[1].dropFirst()).replacingOccurrences(of: "anio=2025", with: "anio=2019"))
            #expect(none.status == .notFound && none.body.contains("no tiene movimientos en 2019"))
        }
    }

    @Test("A holder's copy of their data lists the prepaid meter and the SOMOS card their number is registered for")
    func inTheHoldersCopy() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let prepaid = try await BillingHolderRecords().copy(of: try await Holder.find("+573005550123", on: app.db), on: app.db)
            #expect(prepaid.map(\.label) == ["Medidor prepago 45012378901"])
            let somos = try await BillingHolderRecords().copy(of: try await Holder.find("+573005550789", on: app.db), on: app.db)
            #expect(somos.map(\.label) == ["Tarjeta SOMOS terminada en 4417"] && somos[0].details[0].contains("Diana Patricia Álvarez Serna"))
            #expect(try await BillingHolderRecords().copy(of: try await Holder.find("+573001112233", on: app.db), on: app.db).isEmpty)
        }
    }
}
