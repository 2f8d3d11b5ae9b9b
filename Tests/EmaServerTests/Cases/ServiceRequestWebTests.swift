@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Billing requests on the web (/solicitudes) and in the agents' queue")
struct ServiceRequestWebTests {
    func fields(_ kind: String, contract: String, _ extra: [String: String] = [:]) -> [String: String] {
        ["tipo": kind, "contrato": contract, "nombre": "María Fernanda Restrepo", "celular": "300 555 0123",
         "intento": "solicitud-" + UUID().uuidString.prefix(12)].merging(extra) { $1 }
    }

    @Test("A separation of the gas is filed as a petición with its term; the agent sees what is asked")
    func separation() async throws {
        let clock = AppClock.Manual(bogotaNoon("2026-12-01"))
        try await withEmaApp(clock: clock.clock) { app in
            _ = try await DemoData.load(into: app)
            let web = FacturaWebClient(tester: try app.testing())
            let chooser = try await web.get("solicitudes?contrato=10234567")
            #expect(chooser.body.contains("/solicitudes?tipo=separacion_cuentas&amp;contrato=10234567"))
            let form = try await web.get("solicitudes?tipo=separacion_cuentas&contrato=10234567")
            #expect(form.body.contains("name=\"servicios[]\" value=\"gas\"") && form.body.contains("value=\"10234567\""))
            let filed = try await web.post("solicitudes", fields("separacion_cuentas", contract: "10234567", ["servicios[]": "gas", "nota": "Somos dos familias."]))
            #expect(filed.status == .ok && filed.body.contains("Petición · Separación de cuentas"))
            let row = try #require(try await PQRCase.query(on: app.db).first())
            #expect(row.typeValue == .peticion && row.requestValue == .separacionCuentas && row.requestDetail == "Factura aparte para: Gas")
            #expect(row.contractNumber == "10234567" && row.serviceRelated && row.channelValue == .pqrWeb)
            #expect(row.description == "Solicito la separación de cuentas del contrato 10234567: recibir el servicio de gas en una factura aparte.\nSomos dos familias.")
            // The petición's term: 15 business days (Ley 142, art. 158).
            #expect(row.dueOn == CaseDeadlines().due(filed: CivilDate("2026-12-01")!, term: LegalTerm.of(.peticion, serviceRelated: true)).description)
            #expect(filed.body.contains(row.radicado))

            try await app.staffService().loadDemoAccounts()
            let desk = try OfficeBrowser(app)
            try await desk.signIn("agente@ema.demo", "agente-demo-2026")
            let queue = try await desk.get("backoffice/pqr?vista=sin_asignar")
            #expect(queue.body.contains("Petición · Separación de cuentas"))
            let detail = try await desk.get("backoffice/pqr/\(row.radicado)")
            #expect(detail.body.contains("id=\"pide\">Factura aparte para: Gas"))
        }
    }

    @Test("Bad requests: a one-service contract, no service chosen, an amount out of range, an unknown contract — nothing filed")
    func badInput() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let web = FacturaWebClient(tester: try app.testing())
            let single = try await web.post("solicitudes", fields("separacion_cuentas", contract: "29499889", ["servicios[]": "energia"]))
            #expect(single.status == .badRequest && single.body.contains("un solo servicio"))
            let none = try await web.post("solicitudes", fields("separacion_cuentas", contract: "10234567"))
            #expect(none.status == .badRequest && none.body.contains("Elige al menos un servicio"))
            let tooMuch = try await web.post("solicitudes", fields("aporte_voluntario", contract: "10234567", ["valor": "5.000.000"]))
            #expect(tooMuch.status == .badRequest && tooMuch.body.contains("El aporte debe estar entre $ 1.000 y $ 1.000.000.") && tooMuch.body.contains("aria-invalid=\"true\""))
            let unknown = try await web.post("solicitudes", fields("aporte_voluntario", contract: "99999999", ["valor": "20000"]))
            #expect(unknown.status == .notFound && unknown.body.contains("No encontramos ese número de contrato"))
            let noKind = try await web.post("solicitudes", fields("otra_cosa", contract: "10234567"))
            #expect(noKind.status == .badRequest && noKind.body.contains("Elige qué quieres solicitar"))
            #expect(try await PQRCase.query(on: app.db).count() == 0)
            // A good one, sent twice (a double click), is filed once.
            let once = fields("aporte_voluntario", contract: "10234567", ["valor": "$ 20.000"])
            let first = try await web.post("solicitudes", once)
            let second = try await web.post("solicitudes", once)
            #expect(first.status == .ok && second.status == .ok)
            let rows = try await PQRCase.query(on: app.db).all()
            #expect(rows.count == 1 && rows[0].requestAmountCOP == 20_000 && rows[0].requestDetail == "Aporte de $ 20.000 en la próxima factura")
        }
    }

    @Test("Without contributions in the utility's profile the page says «no disponible»")
    func contributionsUnavailable() async throws {
        try await withEmaApp { app in
            app.utilityProfile?.contributions = nil
            let web = FacturaWebClient(tester: try app.testing())
            let page = try await web.get("solicitudes?tipo=aporte_voluntario")
            #expect(page.status == .serviceUnavailable && page.body.contains("no recibimos aportes voluntarios"))
            #expect(!page.body.contains("tipo=aporte_voluntario"))
        }
    }

    @Test("Through Ema's chat: an aporte voluntario reaches the agents as a petición with its amount")
    func throughEma() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.pick("consentimiento_si")
            try await chat.say("quiero hacer un aporte voluntario")
            try await chat.say("10234567")
            #expect(chat.text.contains("entre $ 1.000 y $ 1.000.000"))
            try await chat.say("15.000")
            try await chat.say("María Fernanda Restrepo")
            try await chat.pick("pqr_sin_celular")
            try await chat.pick("pqr_radicar")
            #expect(chat.text.contains("Radicamos tu petición"))
            let row = try #require(try await PQRCase.query(on: app.db).first())
            #expect(row.requestValue == .aporteVoluntario && row.requestAmountCOP == 15_000 && row.channelValue == .web)
            #expect(row.description.contains("aporte voluntario de $ 15.000"))
        }
    }
}
