@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("SOMOS restructuring and abono a diferidos: simulate, accept the exact text, activate on the abono's payment, export, cancel")
struct SomosRestructuringTests {
    /// Through the SOMOS page's code to the restructuring's link.
    func link(_ app: Application, _ web: FacturaWebClient) async throws -> String {
        _ = try await web.post("somos/codigo", ["cedula": "43512876", "ultimos": "4417"])
        try await drainJobs(app)
        let sms = try #require(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573005550789").sort(\.$createdAt, .descending).first())
        let code = String(try #require(sms.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))
        let shown = try await web.post("somos/consulta", ["cedula": "43512876", "ultimos": "4417", "codigo": code])
        return String(try #require(shown.body.firstMatch(of: /href="\/(somos\/reestructuracion\/[^"]+)"/)?.1))
    }

    @Test("The whole journey, with bad input refused and one restructuring in force per card")
    func journey() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-07"))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            try await app.staffService().loadDemoAccounts()
            let web = FacturaWebClient(tester: try app.testing())
            let path = try await link(app, web)
            let start = try await web.get(path)
            #expect(start.body.contains(#"id="deuda">$ 1.207.500"#) && start.body.contains("36 cuotas"))
            let tooMuch = try await web.get(path + "?abono=2.000.000&cuotas=12")
            #expect(tooMuch.status == .badRequest && tooMuch.body.contains("El abono debe ser menor que tu deuda, $ 1.207.500."))
            let odd = try await web.get(path + "?abono=&cuotas=7")
            #expect(odd.status == .badRequest && odd.body.contains("Elige el número de cuotas: 6, 12, 18, 24, 36."))
            let simulated = try await web.get(path + "?abono=200.000&cuotas=12")
            let expected = try #require(app.utilityProfile?.somos?.restructuring).plan(balance: 1_207_500, abono: 200_000, instalments: 12)
            #expect(simulated.body.contains(#"id="cuota-mensual">\#(Money.format(cop: expected.instalment))"#))
            #expect(simulated.body.contains("un abono a diferidos de $ 200.000"))
            let digest = try #require(simulated.body.firstMatch(of: /name="texto" value="([0-9a-f]{64})"/)?.1)
            let form = ["abono": "200.000", "cuotas": "12", "texto": String(digest)]
            let unchecked = try await web.post(path, form)
            #expect(unchecked.status == .badRequest && unchecked.body.contains("Marca «Acepto»"))
            let other = try await web.post(path, form.merging(["acepto": "si", "cuotas": "18"]) { $1 })
            #expect(other.status == .badRequest && other.body.contains("Tu deuda cambió"))
            let accepted = try await web.post(path, form.merging(["acepto": "si"]) { $1 })
            #expect(accepted.status == .ok && accepted.body.contains("reestructuracion-aceptada") && accepted.body.contains("Esperando el abono"))
            let row = try #require(try await SomosRestructurings.latest(on: app.db).first)
            #expect(row.status == "pendiente_abono" && row.abono_cop == 200_000 && row.instalments == 12 && row.instalment_cop == expected.instalment)
            #expect(row.text_sha256 == String(digest))
            // A second acceptance finds the one in force.
            let again = try await web.post(path, form.merging(["acepto": "si"]) { $1 })
            #expect(again.body.contains("Tu reestructuración \(row.number)"))
            #expect(try await SomosRestructurings.latest(on: app.db).count == 1)

            // The card system's import brings the abono's payment: it becomes active, and the month's export lists it.
            manual.advance(by: 86_400)
            let file = try temporaryFile("""
                card_number,holder_id,holder_name,mobile,movement_id,date,kind,amount_cop,balance_cop
                5890123456784417,43512876,Diana Patricia Álvarez Serna,300 555 0789,SM-0100,2026-12-08,pago,150000,1057500
                """, name: "somos.csv")
            _ = try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.somos, path: file)
            #expect(try await SomosRestructurings.latest(on: app.db).first?.status == "pendiente_abono", "less than the abono does not activate it")
            let paid = try temporaryFile("""
                card_number,holder_id,holder_name,mobile,movement_id,date,kind,amount_cop,balance_cop
                5890123456784417,43512876,Diana Patricia Álvarez Serna,300 555 0789,SM-0101,2026-12-08,pago,200000,857500
                """, name: "somos.csv")
            _ = try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.somos, path: paid)
            #expect(try await SomosRestructurings.latest(on: app.db).first?.status == "activa")
            let csv = try await SomosRestructurings.export(period: BillingPeriod("2026-12")!, on: app.db)
            #expect(csv.contains("\(row.number),4417,SM-0101,2026-12-07,1207500,200000,12,1.80,\(expected.instalment)\n"))
            #expect(!csv.contains("5890123456784417"))

            // An agent cancels it with a reason; then a new one may be accepted.
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice/reestructuraciones").body.contains(row.number))
            let noReason = try await agent.post("backoffice/reestructuraciones/\(row.number)/cancelar", ["csrf": agent.csrf, "motivo": "x"])
            #expect(noReason.location.contains("aviso=motivo"))
            let cancelled = try await agent.post("backoffice/reestructuraciones/\(row.number)/cancelar", ["csrf": agent.csrf, "motivo": "El titular lo pidió por teléfono"])
            #expect(cancelled.location.contains("aviso=cancelada"))
            #expect(try await SomosRestructurings.latest(on: app.db).first?.status == "cancelada")
            let audit = try await app.db.sql.raw("SELECT action FROM staff_audit WHERE subject = \(bind: row.number)").all()
            #expect(audit.count == 1)
            let fresh = try await link(app, web)
            let noAbono = try await web.get(fresh + "?cuotas=6")
            let freshDigest = try #require(noAbono.body.firstMatch(of: /name="texto" value="([0-9a-f]{64})"/)?.1)
            let active = try await web.post(fresh, ["abono": "", "cuotas": "6", "texto": String(freshDigest), "acepto": "si"])
            #expect(active.body.contains("reestructuracion-aceptada") && active.body.contains("· Activa"))
        }
    }

    @Test("Without the utility's rules the page is «no disponible», and the SOMOS page offers no link")
    func unavailable() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            app.utilityProfile?.somos = nil
            let web = FacturaWebClient(tester: try app.testing())
            _ = try await web.post("somos/codigo", ["cedula": "43512876", "ultimos": "4417"])
            try await drainJobs(app)
            let sms = try #require(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573005550789").first())
            let code = String(try #require(sms.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))
            let shown = try await web.post("somos/consulta", ["cedula": "43512876", "ultimos": "4417", "codigo": code])
            #expect(shown.body.contains("Certificado de deuda") && !shown.body.contains("reestructuracion"))
            let token = try #require(shown.body.firstMatch(of: /somos\/certificado\/([^"?]+)/)?.1)
            let page = try await web.get("somos/reestructuracion/\(token)")
            #expect(page.status == .serviceUnavailable && page.body.contains("no está disponible"))
        }
    }
}
