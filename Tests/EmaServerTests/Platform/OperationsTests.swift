@testable import EmaServer
import Fluent
import FluentSQLiteDriver
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Health and metrics")
struct OperationsTests {
    @Test("Health runs a real query and answers ok")
    func healthy() async throws {
        try await withEmaApp { app in
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .ok)
                let health = try? response.content.decode(OperationsController.Health.self)
                #expect(health?.status == "ok" && health?.database.read == "ok" && health?.database.write == "ok")
            }
        }
    }

    @Test("Health answers 503 when the database is down")
    func databaseDown() async throws {
        // A PostgreSQL server that is not there: port 1 on this machine refuses connections.
        try await withEmaApp(migrate: false, configure: { config in
            config.database = .postgres(url: Secret("postgres://ema:clave@127.0.0.1:1/ema"))
        }) { app in
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .serviceUnavailable)
                let health = try? response.content.decode(OperationsController.Health.self)
                #expect(health?.status == "unavailable" && health?.database.read == "failed")
            }
            try await app.testing().test(.GET, "metrics") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("ema_db_up 0"))
            }
        }
    }

    @Test("Health answers 503 when the SQLite file cannot be opened")
    func sqliteUnopenable() async throws {
        // The configured "file" is a folder: SQLite cannot open it, as with a broken disk.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ema-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withEmaApp { app in
            app.databases.use(.sqlite(.file(folder.path)), as: DatabaseID(string: "broken"), isDefault: true)
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test("Metrics count requests by route pattern and status, with a latency histogram")
    func requestMetrics() async throws {
        try await withEmaApp(configure: { $0.adminToken = Secret("t0ken-de-metricas") }) { app in
            _ = try await DemoData.load(into: app)
            try await app.testing().test(.GET, "health") { _ in }
            try await app.testing().test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer t0ken-de-metricas"]) { _ in }
            try await app.testing().test(.GET, "api/v1/admin/contracts/55555555", headers: ["Authorization": "Bearer t0ken-de-metricas"]) { _ in }
            try await app.testing().test(.GET, "metrics") { response in
                let text = response.body.string
                #expect(response.headers.first(name: .contentType)?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(text.contains(#"ema_http_requests_total{method="GET",route="/health",status="200"} 1"#))
                #expect(text.contains(#"ema_http_requests_total{method="GET",route="/api/v1/admin/contracts/:number",status="200"} 1"#))
                #expect(text.contains(#"ema_http_requests_total{method="GET",route="/api/v1/admin/contracts/:number",status="404"} 1"#))
                #expect(text.contains(#"ema_http_request_duration_seconds_count{route="/api/v1/admin/contracts/:number"} 2"#))
                #expect(text.contains(#"ema_http_request_duration_seconds_bucket{route="/health",le="+Inf"} 1"#))
                #expect(text.contains("ema_db_up 1.0\n"))
                #expect(text.contains("ema_db_pool_max_connections{driver="))
                // Paths carry contract numbers; metrics never do.
                #expect(!text.contains("10234567"))
                #expect(!text.contains("55555555"))
            }
        }
    }

    @Test("Metrics show jobs by state")
    func jobMetrics() async throws {
        try await withEmaApp { app in
            try await app.jobQueue.enqueue(kind: "prueba", payload: ["a": 1])
            try await app.jobQueue.enqueue(kind: "prueba", payload: ["a": 2])
            try await app.testing().test(.GET, "metrics") { response in
                let text = response.body.string
                #expect(text.contains(#"ema_jobs{state="queued"} 2.0"#))
                #expect(text.contains(#"ema_jobs{state="failed"} 0.0"#))
            }
        }
    }

    /// The value of a metric's line (`name{labels} value`), when the scrape has it.
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test("After a turn, an SMS and a webhook, the scrape has the new series with sensible values: turn latency, webhook acknowledgement, outbox lag and pace, queue depths")
    func newSeries() async throws {
        let manual = AppClock.Manual(Date(timeIntervalSince1970: 1_795_000_000))
        try await withEmaApp(clock: manual.clock) { app in
            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.say("hola")
            try await chat.say("quiero pagar mi factura")
            try await app.smsOutbox().queue("EPM: prueba de métricas.", to: "+573001234567", purpose: "prueba")
            var text = ""
            try await app.testing().test(.GET, "metrics") { text = $0.body.string }
            #expect(Self.value(text, #"ema_turn_duration_seconds_count{channel="web"}"#) == 2)
            let turnSum = try #require(Self.value(text, #"ema_turn_duration_seconds_sum{channel="web"}"#))
            #expect(turnSum > 0 && turnSum < 30)
            #expect(text.contains("# TYPE ema_turn_duration_seconds histogram"))
            #expect(Self.value(text, #"ema_queue_depth{queue="sms_outbox"}"#) == 1)
            #expect(Self.value(text, #"ema_queue_depth{queue="whatsapp_outbox"}"#) == 0)
            #expect(Self.value(text, #"ema_queue_depth{queue="advisor_chats"}"#) == 0)
            #expect(Self.value(text, #"ema_outbox_sent_total{outbox="sms"}"#) == nil)

            // Sent 90 seconds after it was queued: the lag says so, in its bucket.
            manual.advance(by: 90)
            try await drainJobs(app)
            try await app.testing().test(.GET, "metrics") { text = $0.body.string }
            #expect(Self.value(text, #"ema_outbox_sent_total{outbox="sms"}"#) == 1)
            #expect(Self.value(text, #"ema_outbox_lag_seconds_sum{outbox="sms"}"#) == 90)
            #expect(Self.value(text, #"ema_outbox_lag_seconds_bucket{outbox="sms",le="60.0"}"#) == 0)
            #expect(Self.value(text, #"ema_outbox_lag_seconds_bucket{outbox="sms",le="120.0"}"#) == 1)
            #expect(Self.value(text, #"ema_queue_depth{queue="sms_outbox"}"#) == 0)
        }
        try await WhatsAppWebhookTests().withWhatsApp { app in
            #expect(try await WhatsAppWebhookTests().post(app, Webhook.text("hola")) == .ok)
            var text = ""
            try await app.testing().test(.GET, "metrics") { text = $0.body.string }
            #expect(Self.value(text, #"ema_webhook_ack_seconds_count{provider="whatsapp"}"#) == 1)
            let ack = try #require(Self.value(text, #"ema_webhook_ack_seconds_sum{provider="whatsapp"}"#))
            #expect(ack > 0 && ack < 8)
            // Ema's answer leaves the conversation lane: counted, with its lag.
            try await drainJobs(app)
            try await app.testing().test(.GET, "metrics") { text = $0.body.string }
            #expect((Self.value(text, #"ema_outbox_sent_total{outbox="whatsapp_conversation"}"#) ?? 0) >= 1)
            #expect(Self.value(text, #"ema_outbox_lag_seconds_count{outbox="whatsapp_conversation"}"#) == Self.value(text, #"ema_outbox_sent_total{outbox="whatsapp_conversation"}"#))
        }
    }
}
