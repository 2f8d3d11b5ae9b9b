import Fluent
import Foundation
import SQLKit
import Vapor

/// `GET /health` and `GET /metrics`, for load balancers and monitoring.
struct OperationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
        routes.get("metrics", use: metrics)
    }

    struct Health: Content {
        let status: String
    }

    /// `GET /health` → 200 `{"status":"ok"}` when the database answers a real query within 5 s,
    /// 503 `{"status":"unavailable"}` otherwise.
    @Sendable
    func health(request: Request) async throws -> Response {
        let healthy = await Self.databaseAnswers(request.db, logger: request.logger)
        let response = Response(status: healthy ? .ok : .serviceUnavailable)
        try response.content.encode(Health(status: healthy ? "ok" : "unavailable"))
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    static func databaseAnswers(_ database: any Database, logger: Logger) async -> Bool {
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    let row = try await (database as! any SQLDatabase).raw("SELECT 1 AS ok").first()
                    return try row?.decode(column: "ok", as: Int.self) == 1
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        } catch {
            logger.warning("La base de datos no responde", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    /// `GET /metrics` → Prometheus text format: HTTP requests and latency by route, the database
    /// (up, pool size, time to get a connection and answer), jobs by state, process memory.
    @Sendable
    func metrics(request: Request) async throws -> Response {
        let app = request.application
        var text = ""
        app.httpMetrics.render(into: &text)

        let start = ContinuousClock.now
        let up = await Self.databaseAnswers(request.db, logger: request.logger)
        let elapsed = ContinuousClock.now - start
        let ping = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Prometheus.gauge("ema_db_up", help: "1 when the database answered a query.", [("", up ? 1 : 0)], into: &text)
        Prometheus.gauge("ema_db_pool_max_connections", help: "Connections the pool may open (all event loops).",
                         [("driver=\"\(app.usesSQLite ? "sqlite" : "postgresql")\"", Double(Self.poolSize(app)))], into: &text)
        Prometheus.gauge("ema_db_pool_acquire_query_seconds", help: "Time to take a pool connection and answer SELECT 1, at scrape.",
                         [("", ping)], into: &text)

        if up, let counts = try? await app.jobQueue.countsByState() {
            Prometheus.gauge("ema_jobs", help: "Jobs in the jobs table, by state.",
                             JobState.allCases.map { ("state=\"\($0.rawValue)\"", Double(counts[$0] ?? 0)) }, into: &text)
        }
        if let resident = Self.residentMemoryBytes() {
            Prometheus.gauge("process_resident_memory_bytes", help: "Resident memory of this process.", [("", Double(resident))], into: &text)
        }
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    static func poolSize(_ app: Application) -> Int {
        let loops = Array(app.eventLoopGroup.makeIterator()).count
        return app.usesSQLite ? loops : loops * app.emaConfig.databasePoolSize
    }

    /// Reads VmRSS from /proc (Linux); nil elsewhere.
    static func residentMemoryBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }
}
