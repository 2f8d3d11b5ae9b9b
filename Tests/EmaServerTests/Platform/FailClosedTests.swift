@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A production node: no `--demo`, no `EMA_SANDBOX`, no provider configured.
func withProductionApp(configure adjust: @escaping (inout AppConfig) -> Void = { _ in }, _ body: (Application) async throws -> Void) async throws {
    try await withEmaApp(configure: { config in
        config.sandbox = false
        adjust(&config)
    }) { app in
        _ = try await DemoData.load(into: app)
        try await body(app)
    }
}

@Suite("Fail closed: no sandbox outside the demo")
struct FailClosedTests {
    @Test("Without Wompi keys and without the demo, nobody can mark a bill paid: paying says it is not available")
    func noSandboxPayments() async throws {
        try await withProductionApp { app in
            let invoice = try await demoLatestBill(app)
            let client = FacturaWebClient(tester: try app.testing())
            let page = try await client.get("factura/10234567")
            #expect(page.status == .ok)
            // A coupon can still be made (banks read it); no form pays online.
            #expect(!page.body.contains("/pagar\""), "no pay button without a gateway")
            #expect(page.body.contains("El pago en línea no está disponible"))
            let paid = try await client.post("factura/10234567/pagar", ["factura": invoice.invoiceNumber, "intento": String(repeating: "a", count: 32)])
            #expect(paid.status == .serviceUnavailable)
            #expect(paid.body.contains("El pago en línea no está disponible"))
            #expect(try await Payment.query(on: app.db).count() == 0)
            let couponKey = try #require(page.body.range(of: #"name="intento" value=""#)).upperBound
            let coupon = try await client.post("factura/10234567/cupon", ["valor": "20000", "intento": String(page.body[couponKey...].prefix(32))])
            let couponPage = try await client.get(String(coupon.location.dropFirst()))
            #expect(couponPage.status == .ok && couponPage.body.contains("Paga el cupón en los bancos") && !couponPage.body.contains("/pagar\""))
            let couponPaid = try await client.post(String(coupon.location.dropFirst()) + "/pagar", ["intento": String(repeating: "a", count: 32)])
            #expect(couponPaid.status == .serviceUnavailable && couponPaid.body.contains("El pago en línea no está disponible"))
            #expect(try await Payment.query(on: app.db).count() == 0)
            // A sandbox attempt made while the sandbox was on cannot be approved now.
            let payment = Payment()
            payment.$invoice.id = try invoice.requireID()
            payment.reference = "EMA-PRUEBA-1"
            payment.gateway = "sandbox"
            payment.amountCOP = invoice.amountCOP
            payment.status = PaymentStatus.pending.rawValue
            payment.idempotencyKey = String(repeating: "b", count: 32)
            payment.createdAt = Date()
            payment.updatedAt = Date()
            try await payment.create(on: app.db)
            for (method, path) in [(HTTPMethod.GET, "pagos/sandbox/EMA-PRUEBA-1"), (.POST, "pagos/sandbox/EMA-PRUEBA-1")] {
                try await app.testing().test(method, path, beforeRequest: { request in
                    if method == .POST { try request.content.encode(["decision": "aprobar", "banco": "Nequi"], as: .urlEncodedForm) }
                }) { response in
                    #expect(response.status == .notFound)
                }
            }
            #expect(try await reloadInvoice(invoice, app).paidCOP == 0)
        }
    }

    func reloadInvoice(_ invoice: Invoice, _ app: Application) async throws -> Invoice {
        try #require(try await Invoice.find(invoice.requireID(), on: app.db))
    }

    @Test("Without Twilio and without the demo, Ema says codes are not available and stores no message")
    func noSandboxSMS() async throws {
        try await withProductionApp { app in
            var chat = ChatClient(app: app)
            try await chat.reachPhone()
            try await chat.say("3001234567")
            #expect(chat.text.contains("La verificación por mensaje de texto no está disponible"))
            #expect(try await SandboxMessage.query(on: app.db).count() == 0)
            #expect(try await VerificationCode.query(on: app.db).count() == 0)
            try await app.testing().test(.GET, "sandbox/sms") { #expect($0.status == .notFound) }
        }
    }

    @Test("Without WhatsApp settings and without the demo, the webhook is not available and there is no simulator")
    func noSandboxWhatsApp() async throws {
        try await withProductionApp { app in
            try await app.testing().test(.POST, "webhooks/whatsapp", headers: ["X-Hub-Signature-256": "sha256=00", "Content-Type": "application/json"], body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "whatsapp_unavailable")
            }
            for path in ["simulador", "simulador/conversacion?numero=3001234567"] {
                try await app.testing().test(.GET, path) { #expect($0.status == .notFound) }
            }
            // The monthly dispatch refuses to queue bills that could not leave.
            try await app.staffService().loadDemoAccounts()
            #expect(!app.whatsAppAvailable)
            #expect(app.whatsApp is UnavailableWhatsAppClient)
        }
    }

    @Test("Next to a real WhatsApp the simulator does not exist, even with the sandbox on")
    func noSimulatorNextToRealWhatsApp() async throws {
        try await withEmaApp(configure: { config in
            config.sandbox = true
            config.whatsApp.appSecret = Secret("secreto-real")
            config.whatsApp.accessToken = Secret("EAAG-real")
            config.whatsApp.phoneNumberID = "106540352242922"
        }) { app in
            for path in ["simulador", "simulador/conversacion?numero=3001234567"] {
                try await app.testing().test(.GET, path) { #expect($0.status == .notFound, "\(path)") }
            }
        }
    }

    @Test("The start-up log names what is not available and which settings are missing; /health says whether the sandbox is on")
    func startUpAndHealth() async throws {
        let capture = LogCapture()
        try await withEmaApp(configure: { $0.sandbox = false; $0.twilio.accountSID = "AC1"; $0.twilio.authToken = Secret("t"); $0.twilio.from = "+1500" },
                             prepare: { $0.logger = capture.logger() }) { app in
            app.logProviders()
            let logs = capture.text
            #expect(logs.contains("No disponible: pago en línea de facturas. Falta configurar WOMPI_PUBLIC_KEY, WOMPI_INTEGRITY_SECRET, WOMPI_EVENTS_SECRET."))
            #expect(logs.contains("Falta configurar WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN"))
            #expect(!logs.contains("códigos de verificación y avisos por SMS"), "Twilio is configured")
            #expect(!logs.contains("MODO DE PRUEBAS"))
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .ok)
                let health = try response.content.decode(OperationsController.Health.self)
                #expect(!health.sandbox && health.warning == nil)
                #expect(health.providers == ["whatsapp": "no_disponible", "sms": "configurado", "pagos": "no_disponible"])
            }
        }
        let demo = LogCapture()
        try await withEmaApp(configure: { $0.sandbox = false }, prepare: { $0.logger = demo.logger() }) { app in
            app.isDemo = true
            app.logProviders()
            #expect(demo.text.contains("MODO DE PRUEBAS ACTIVO (--demo)"))
            try await app.testing().test(.GET, "health") { response in
                let health = try response.content.decode(OperationsController.Health.self)
                #expect(health.sandbox && health.warning != nil)
                #expect(health.providers["pagos"] == "sandbox")
            }
        }
    }

    @Test("EMA_SANDBOX=on is read; a WhatsApp token without its app secret is refused at start")
    func sandboxSetting() throws {
        let on = try AppConfig(environment: ["EMA_SANDBOX": "on"])
        let off = try AppConfig(environment: [:])
        #expect(on.sandbox && !off.sandbox)
        #expect(throws: ConfigError.self) {
            try AppConfig(environment: ["WHATSAPP_ACCESS_TOKEN": "EAAG", "WHATSAPP_PHONE_NUMBER_ID": "1"])
        }
        // The /metrics restriction is read from the environment too.
        let metrics = try AppConfig(environment: ["EMA_METRICS_TOKEN": "token-de-metricas", "EMA_METRICS_ALLOW": "10.0.0.5, 10.0.0.6"])
        #expect(metrics.metricsToken?.value == "token-de-metricas" && metrics.metricsAllow == ["10.0.0.5", "10.0.0.6"])
        #expect(off.metricsToken == nil && off.metricsAllow.isEmpty)
    }

    @Test("With EMA_SANDBOX=on (not the demo) the start-up line says so loudly, and /health too")
    func sandboxStartUpLine() async throws {
        let capture = LogCapture()
        try await withEmaApp(configure: { $0.sandbox = true }, prepare: { $0.logger = capture.logger() }) { app in
            app.isDemo = false
            app.logProviders()
            #expect(capture.text.contains("MODO DE PRUEBAS ACTIVO (EMA_SANDBOX=on)"))
            #expect(capture.text.contains("No lo use con clientes reales"))
            try await app.testing().test(.GET, "health") { response in
                let health = try response.content.decode(OperationsController.Health.self)
                #expect(health.sandbox && health.warning != nil)
            }
        }
    }
}

@Suite("Health checks a write")
struct HealthWriteTests {
    @Test("/health writes at most every 5 s per node, and answers 503 when the database answers reads but refuses writes")
    func writeRefused() async throws {
        try await withEmaApp { app in
            let sql = app.db.sql
            func checkedAt() async throws -> [Date] {
                try await sql.select().column("checked_at").from(HealthCheck.schema).all().map { try $0.decode(column: "checked_at", as: Date.self) }
            }
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .ok)
                let health = try response.content.decode(OperationsController.Health.self)
                #expect(health.database.read == "ok" && health.database.write == "ok")
            }
            let first = try await checkedAt()
            #expect(first.count == 1)
            // A balancer asking again within 5 s gets the fresh success, not another write.
            try await sql.update(HealthCheck.schema).set("checked_at", to: SQLBind(Date(timeIntervalSince1970: 0))).run()
            try await app.testing().test(.GET, "health") { #expect($0.status == .ok) }
            #expect(try await checkedAt() == [Date(timeIntervalSince1970: 0)])
            app.healthWrites.interval.withLockedValue { $0 = .zero }
            // A full disk or a read-only database: the write fails, the read still works.
            try await sql.raw("DROP TABLE \(ident: HealthCheck.schema)").run()
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .serviceUnavailable)
                let health = try response.content.decode(OperationsController.Health.self)
                #expect(health.status == "unavailable" && health.database.read == "ok" && health.database.write == "failed")
            }
        }
    }
}
