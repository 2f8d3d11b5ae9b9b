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
                #expect(text.contains("ema_db_up 1"))
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
                #expect(text.contains(#"ema_jobs{state="queued"} 2"#))
                #expect(text.contains(#"ema_jobs{state="failed"} 0"#))
            }
        }
    }
}
