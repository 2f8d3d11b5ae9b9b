@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Back office: the monthly dispatch page")
struct BackOfficeDispatchTests {
    @Test("A supervisor starts a period (as a job; a double click starts it once), follows it, and retries failed sends")
    func dispatchFromTheBackOffice() async throws {
        let refusal = FakeProviderServer.Scripted(status: .badRequest, body: #"{"error":{"message":"(#131026) Message undeliverable","code":131026}}"#)
        try await withFakeProvider(fallback: .init(status: .ok, body: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.ok"}]}"#)) { graph in
            try await withEmaApp(configure: { config in
                config.whatsApp.graphURL = graph.baseURL + "/v21.0"
                config.whatsApp.phoneNumberID = "1"
                config.whatsApp.accessToken = Secret("t")
            }) { app in
                _ = try await DemoData.load(into: app)
                try await app.staffService().loadDemoAccounts()
                let numbers = try await Contract.query(on: app.db).filter(\.$status == "activo").sort(\.$contractNumber).limit(3).all().map(\.contractNumber)
                for (index, number) in numbers.enumerated() {
                    _ = try await EnrollmentService(database: app.db, clock: app.clock)
                        .enroll(EnrollmentRequest(phone: "+57300000000\(index)", contractNumber: number, holderName: "Cliente", channel: .web))
                }
                let latest = try #require(try await Invoice.query(on: app.db).sort(\.$period, .descending).first())
                let period = try #require(BillingPeriod(latest.period))
                let office = try OfficeBrowser(app)
                try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
                let before = try await office.get("backoffice/envios/\(period)")
                #expect(before.body.contains("3 inscripciones activas aún no tienen esta factura: se enviará a cada una."))
                #expect(before.body.contains(#"name="confirmo" value="si""#))
                #expect(!before.body.contains("no hay nada que enviar"))
                let nothing = try await office.get("backoffice/envios/2019-01")
                #expect(nothing.body.contains("no hay nada que enviar"))
                let list = try await office.get("backoffice/envios")
                #expect(list.body.contains(period.displayName))
                // One row per period with bills (the demo has three), newest first.
                #expect(list.body.components(separatedBy: "<tr>").count - 2 == 3)
                #expect(list.body.range(of: period.displayName)!.lowerBound < list.body.range(of: period.previous.displayName)!.lowerBound)
                // Without the confirmation of the period's page (which shows the count), nothing starts.
                let unconfirmed = try await office.post("backoffice/envios", ["csrf": office.csrf, "periodo": period.description])
                #expect(unconfirmed.status == .seeOther && unconfirmed.location == "/backoffice/envios/\(period)")
                #expect(try await JobRecord.query(on: app.db).filter(\.$kind == BackOfficeDispatchController.job).count() == 0)
                let started = try await office.post("backoffice/envios", ["csrf": office.csrf, "periodo": period.description, "confirmo": "si"])
                let twice = try await office.post("backoffice/envios", ["csrf": office.csrf, "periodo": period.description, "confirmo": "si"])
                #expect(started.status == .seeOther && started.location == "/backoffice/envios/\(period)")
                #expect(twice.location == started.location)
                #expect(try await JobRecord.query(on: app.db).filter(\.$kind == BackOfficeDispatchController.job).count() == 1)
                let preparing = try await office.get("backoffice/envios/\(period)")
                #expect(preparing.body.contains("Preparando el envío"))
                #expect(preparing.body.contains(#"data-refrescar="3""#))

                graph.script(refusal)
                try await drainJobs(app)
                var page = try await office.get("backoffice/envios/\(period)")
                #expect(page.body.contains("<strong>3</strong> de <strong>3</strong>"))
                #expect(page.body.contains(#"data-estado="sent"><span>Enviadas, sin confirmar entrega</span> <strong>2</strong>"#))
                #expect(page.body.contains(#"data-causa="undeliverable"><span>No entregable</span> <strong>1</strong>"#))
                #expect(page.body.contains("Reintentar el envío fallido"))
                #expect(!page.body.contains("data-refrescar") && !page.body.contains("http-equiv"))

                let retried = try await office.post("backoffice/envios/\(period)/reintentar", ["csrf": office.csrf])
                #expect(retried.location == "/backoffice/envios/\(period)?reintentadas=1")
                try await drainJobs(app)
                page = try await office.get("backoffice/envios/\(period)?reintentadas=1")
                #expect(page.body.contains("Se volvió a poner en cola 1 envío fallido."))
                #expect(page.body.contains(#"data-estado="sent"><span>Enviadas, sin confirmar entrega</span> <strong>3</strong>"#))
                #expect(graph.requests.count == 4)
                let actions = try await StaffAuditEntry.query(on: app.db).all().map(\.action)
                #expect(actions.filter { $0 == "envio_iniciado" }.count == 2)
                #expect(actions.contains("envio_reintentado"))

                // Without the token, nothing starts.
                #expect(try await office.post("backoffice/envios", ["periodo": period.description, "confirmo": "si"]).status == .forbidden)
                let bad = try await office.post("backoffice/envios", ["csrf": office.csrf, "periodo": "2019-01"])
                #expect(bad.location == "/backoffice/envios?aviso=periodo")
            }
        }
    }
}
