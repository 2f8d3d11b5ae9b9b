@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Prepaid energy and water: import, the PIN behind the registered mobile's code, the certificate and its verification")
struct PrepaidTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prepago-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let header = "meter_number,contract_number,service,mobile,recharge_id,recharged_at,amount_cop,units,pin\n"

    @Test("A file with bad lines imports nothing and names each problem; a good one imports, PINs sealed")
    func importRules() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let importer = CSVFileImporter(database: app.db, clock: app.clock)
            let bad = try write(Self.header + """
                12345678,10234567,energia,3001234567,R-1,2026-11-02 10:00,20000,24.5,11112222333344445555
                12345678,93865819,energia,3001234567,R-2,2026-11-03 10:00,20000,24.5,11112222333344445556
                99887766,99999999,gas,12345,R-3,2026-13-01 10:00,-5,abc,12
                12345678,10234567,energia,3001234567,R-1,2026-11-04 10:00,20000,24.5,11112222333344445557
                55667788,99999999,energia,3001234567,R-4,2026-11-02 10:00,20000,24.5,11112222333344449999
                """)
            guard case .rejected(let problems) = try await importer.importFile(.prepaid, path: bad) else {
                Issue.record("a bad file was imported")
                return
            }
            let text = problems.map(\.description).joined(separator: "\n")
            #expect(text.contains("otro contrato, servicio o celular en la línea 2"))
            for column in ["service", "mobile", "recharged_at", "amount_cop", "units", "pin"] { #expect(text.contains(column), "\(column)") }
            #expect(problems.contains { $0.line == 5 }, "the repeated recharge id")
            #expect(text.contains("línea 6, columna contract_number: el contrato 99999999 no existe en Ema"))
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM prepaid_recharges").first()?.decode(column: "n", as: Int.self) == 6, "the demo's only")

            let good = try write(Self.header + "12345678,10234567,agua,300 123 4567,R-9,2026-11-02 10:00,20000,6.5,11112222333344445555\n")
            guard case .imported(let counts, _) = try await importer.importFile(.prepaid, path: good) else {
                Issue.record("a good file was refused")
                return
            }
            #expect(counts.new == 1)
            let sealed = try #require(try await app.db.sql.raw("SELECT pin_sealed FROM prepaid_recharges WHERE recharge_id = 'R-9'").first()?.decode(column: "pin_sealed", as: Data.self))
            #expect(!String(decoding: sealed, as: UTF8.self).contains("1111222233334444"))
        }
    }

    @Test("The meter's recharges and PINs only after the code sent to its registered mobile; the certificate's link expires; its code verifies it")
    func pinAndCertificate() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-07"))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            let web = FacturaWebClient(tester: try app.testing())
            #expect(try await web.get("prepago").body.contains("Número del medidor"))
            let unknown = try await web.post("prepago/codigo", ["medidor": "11111111"])
            #expect(unknown.status == .notFound && unknown.body.contains("No encontramos el medidor 11111111"))
            let asked = try await web.post("prepago/codigo", ["medidor": "4501 2378 901"])
            #expect(asked.status == .ok && asked.body.contains("*** *** 0123") && !asked.body.contains("555 0123"))
            try await drainJobs(app)
            let sms = try #require(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573005550123").first())
            let code = String(try #require(sms.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))
            let wrong = try await web.post("prepago/consulta", ["medidor": "45012378901", "codigo": code == "000000" ? "111111" : "000000"])
            #expect(wrong.status == .badRequest && !wrong.body.contains("PIN <strong>"))
            let other = try await web.post("prepago/consulta", ["medidor": "78003412", "codigo": code])
            #expect(other.status == .badRequest, "the code is the other meter's mobile's")
            let shown = try await web.post("prepago/consulta", ["medidor": "45012378901", "codigo": code])
            #expect(shown.status == .ok && shown.body.contains("PIN <strong>6221 0947 3855 1207 9841</strong>"))
            #expect(shown.body.contains(#"1 de diciembre de 2026, 7:31 a. m. · <span class="nowrap">$ 20.000</span> · <span class="nowrap">24,0 kWh</span>"#))
            let link = try #require(shown.body.range(of: #"/prepago/certificado/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(shown.body[$0]) })
            let pdf = try await web.get(String(link.dropFirst()))
            #expect(pdf.status == .ok && pdf.body.hasPrefix("%PDF") && pdf.body.contains("45012378901") && pdf.body.contains("140.000"))
            let code2 = try #require(pdf.body.range(of: #"EMA-[A-Z0-9]{5}-[A-Z0-9]{5}"#, options: .regularExpression).map { String(pdf.body[$0]) })
            let verified = try await web.get("certificados/verificar?codigo=\(code2.lowercased())")
            #expect(verified.status == .ok && verified.body.contains("Certificado auténtico") && verified.body.contains("4, por $\u{00A0}140.000"))
            #expect(try await web.get("certificados/verificar?codigo=EMA-AAAAA-BBBBB").status == .notFound)
            // A tampered link, and the right one after half an hour.
            var tampered = Array(link.utf8)
            tampered[tampered.count - 3] = tampered[tampered.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(try await web.get(String(decoding: tampered.dropFirst(), as: UTF8.self)).status == .notFound)
            manual.advance(by: 31 * 60)
            let expired = try await web.get(String(link.dropFirst()))
            #expect(expired.status == .notFound && expired.body.contains("dura 30 minutos"))
        }
    }

    @Test("Ema's effect gives the registered mobile its meters' latest recharges, PINs opened and grouped; another number nothing")
    func emaEffect() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let effects = app.assistantEffects(client: "+573005550123")
            let meters = try await effects.prepaidRecharges(phone: "+573005550123")
            #expect(meters.map(\.meter) == ["45012378901"] && meters[0].recharges.count == 3)
            #expect(meters[0].recharges[0].pin == "6221 0947 3855 1207 9841" && meters[0].recharges[0].units == "24,0 kWh")
            #expect(try await effects.prepaidRecharges(phone: "+573001234567").isEmpty)
        }
    }
}
