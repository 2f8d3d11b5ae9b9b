@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Damage reports: /danos, WhatsApp location, the crews' queue")
struct DamageTests {
    func post(_ app: Application, _ fields: [String: String]) async throws -> (HTTPResponseStatus, String) {
        var result: (HTTPResponseStatus, String) = (.ok, "")
        try await app.testing().test(.POST, "danos", beforeRequest: { try $0.content.encode(fields, as: .urlEncodedForm) },
                                     afterResponse: { result = ($0.status, $0.body.string) })
        return result
    }

    @Test("The form refuses what is missing in Spanish, numbers reports per year, and puts safety first for gas")
    func form() async throws {
        try await withEmaApp { app in
            var page = ""
            try await app.testing().test(.GET, "danos") { page = $0.body.string }
            #expect(page.contains("Si hueles a gas o ves un cable caído") && page.contains("604 4444 115"))
            let missing = try await post(app, ["servicio": "agua", "direccion": "", "descripcion": "Fuga en la acera"])
            #expect(missing.0 == .badRequest && missing.1.contains("Escribe la dirección del daño"))
            let badService = try await post(app, ["servicio": "telefonia", "direccion": "Calle 10 # 20-30, Bello", "descripcion": "Fuga en la acera"])
            #expect(badService.0 == .badRequest && badService.1.contains("Elige el servicio"))
            let badPhone = try await post(app, ["servicio": "agua", "direccion": "Calle 10 # 20-30, Bello", "descripcion": "Fuga en la acera", "celular": "123"])
            #expect(badPhone.0 == .badRequest && badPhone.1.contains("Fuga en la acera"))
            #expect(try await DamageReportRecord.query(on: app.db).count() == 0)
            let gas = try await post(app, ["servicio": "gas", "direccion": "Carrera 43A # 1-50, Medellín", "descripcion": "Huele a gas en todo el edificio", "celular": "3001234567"])
            #expect(gas.0 == .created && gas.1.contains(#"id="seguridad""#) && gas.1.contains("abre puertas y ventanas"))
            #expect(gas.1.contains(#"id="reporte-numero">DAN-"#))
            let water = try await post(app, ["servicio": "agua", "direccion": "Calle 10 # 20-30, Bello", "descripcion": "Fuga en la acera"])
            #expect(water.0 == .created && !water.1.contains(#"id="seguridad""#))
            let reports = try await DamageReportRecord.query(on: app.db).sort(\.$createdAt).all()
            #expect(reports.count == 2)
            let year = CivilDate(bogotaAt: app.clock.now().timeIntervalSince1970).year
            #expect(reports.map(\.number).sorted() == ["DAN-\(year)-0000001", "DAN-\(year)-0000002"])
            let gasReport = try #require(reports.first { $0.service == "gas" })
            #expect(gasReport.hazard == "gas" && gasReport.phone == "+573001234567" && gasReport.status == .received)
        }
    }

    @Test("A location shared on WhatsApp becomes the report's place; staff see it on the queue and move it")
    func whatsAppLocation() async throws {
        try await WhatsAppWebhookTests().withWhatsApp { app in
            try await app.staffService().loadDemoAccounts()
            let hooks = WhatsAppWebhookTests()
            let location = Webhook.envelope(#""messages":[{"from":"573001234567","id":"wamid.\#(UUID().uuidString)","timestamp":"1795000040","type":"location","location":{"latitude":6.2442,"longitude":-75.5812,"name":"Parque Berrío","address":"Cra. 50 #50-1, Medellín"}}]"#)
            for step in [Webhook.text("hola"), Webhook.button("consentimiento_si"), location,
                         Webhook.button("dano:alumbrado"), Webhook.text("Tres lámparas apagadas en el parque")] {
                #expect(try await hooks.post(app, step) == .ok)
                try await drainJobs(app)
            }
            let report = try #require(try await DamageReportRecord.query(on: app.db).first())
            #expect(report.latitude == 6.2442 && report.longitude == -75.5812 && report.service == "alumbrado")
            #expect(report.address == "Parque Berrío, Cra. 50 #50-1, Medellín" && report.phone == "+573001234567" && report.channel == "whatsapp")
            #expect(try await hooks.sandbox(app).contains { $0.contains(report.number) })

            let office = try OfficeBrowser(app)
            #expect(try await office.get("backoffice/danos").status == .seeOther)
            try await office.signIn("agente@ema.demo", "agente-demo-2026")
            let queue = try await office.get("backoffice/danos")
            #expect(queue.status == .ok && queue.body.contains(report.number) && queue.body.contains("openstreetmap.org/?mlat=6.2442"))
            let forged = try await office.post("backoffice/danos/\(report.number)/estado", ["estado": "resuelto"])
            #expect(forged.status == .forbidden)
            let moved = try await office.post("backoffice/danos/\(report.number)/estado", ["csrf": office.csrf, "estado": "resuelto"])
            #expect(moved.status == .seeOther)
            let saved = try #require(try await DamageReportRecord.find(report.id, on: app.db))
            #expect(saved.status == .resolved && saved.updatedBy == "agente@ema.demo")
            #expect(try await office.get("backoffice/danos").body.contains(report.number) == false)
        }
    }

    @Test("Anyone with a report's number sees how it stands, never its place, story or phone; a wrong number says so, and guessing is slowed down")
    func publicLookup() async throws {
        try await withEmaApp { app in
            let created = try await post(app, ["servicio": "agua", "direccion": "Calle 10 # 20-30, Bello", "descripcion": "Fuga en la acera frente al colegio", "celular": "3001234567"])
            #expect(created.1.contains("/danos/consulta?numero=DAN-"))
            let number = try #require(try await DamageReportRecord.query(on: app.db).first()).number
            try await DamageReportService(database: app.db, clock: app.clock).move(number, to: .inAttention, by: "agente@ema.demo")
            var page = ""
            try await app.testing().test(.GET, "danos/consulta?numero=\(number.lowercased())") { response in
                #expect(response.status == .ok)
                page = response.body.string
            }
            #expect(page.contains("Reporte \(number)") && page.contains("En atención") && page.contains("Agua"))
            #expect(!page.contains("Calle 10") && !page.contains("Fuga en la acera") && !page.contains("3001234567") && !page.contains("agente@"))
            for guess in 1...30 {
                try await app.testing().test(.GET, "danos/consulta?numero=DAN-2019-\(String(format: "%07d", guess))") { response in
                    #expect(response.status == .notFound && response.body.string.contains("No encontramos un reporte"))
                }
            }
            try await app.testing().test(.GET, "danos/consulta?numero=\(number)") { response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }
}
