import Crypto
import EmaCore
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
        struct Checks: Content {
            /// `ok` or `failed`: the database answered a query.
            let read: String
            /// `ok` or `failed`: the database took a write (one row per node, upserted).
            let write: String
        }

        let status: String
        let database: Checks
        /// True when the providers' sandboxes stand in (`--demo`, `EMA_SANDBOX=on`): never in
        /// front of real customers.
        let sandbox: Bool
        let warning: String?
        /// Each provider: `configurado`, `sandbox` or `no_disponible`.
        let providers: [String: String]
    }

    /// `GET /health` → 200 `{"status":"ok", "database": {"read":"ok","write":"ok"}, "sandbox":
    /// false, "providers": {…}}` when the database answers a query and takes a write within 5 s
    /// each (the write at most every 5 s per node, see `HealthWrites`); 503 with
    /// `"status":"unavailable"` and the check that failed otherwise (a full disk, a read-only
    /// replica), so a load balancer takes the node out.
    @Sendable
    func health(request: Request) async throws -> Response {
        let app = request.application
        let read = await Self.databaseAnswers(request.db, logger: request.logger)
        var write = false
        if read && app.healthWrites.isFresh {
            write = true
        } else if read {
            write = await Self.databaseWrites(request.db, node: app.nodeID, now: app.clock.now(), logger: request.logger)
            app.healthWrites.record(success: write)
        }
        let healthy = read && write
        let response = Response(status: healthy ? .ok : .serviceUnavailable)
        try response.content.encode(Health(
            status: healthy ? "ok" : "unavailable",
            database: .init(read: read ? "ok" : "failed", write: write ? "ok" : "failed"),
            sandbox: app.sandboxEnabled,
            warning: app.sandboxEnabled ? "MODO DE PRUEBAS: pasarelas de prueba activas; no atiende clientes reales." : nil,
            providers: Dictionary(uniqueKeysWithValues: app.providers.map { ($0.name, $0.state.rawValue) })
        ))
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    static func databaseAnswers(_ database: any Database, logger: Logger) async -> Bool {
        await within5Seconds(logger: logger, "La base de datos no responde") {
            let row = try await database.sql.raw("SELECT 1 AS ok").first()
            return try row?.decode(column: "ok", as: Int.self) == 1
        }
    }

    /// Upserts this node's row of `health_checks`: the cheapest write that still needs the disk.
    static func databaseWrites(_ database: any Database, node: String, now: Date, logger: Logger) async -> Bool {
        await within5Seconds(logger: logger, "La base de datos no acepta escrituras") {
            try await database.sql.insert(into: HealthCheck.schema)
                .columns("node", "checked_at").values(SQLBind(node), SQLBind(now))
                .onConflict(with: ["node"]) { $0.set(excludedValueOf: "checked_at") }
                .run()
            return true
        }
    }

    static func within5Seconds(logger: Logger, _ failure: String, _ work: @escaping @Sendable () async throws -> Bool) async -> Bool {
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask(operation: work)
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        } catch {
            logger.warning("\(failure)", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    /// `GET /metrics` → Prometheus text format (swift-metrics into swift-prometheus, see
    /// `HTTPMetrics`): HTTP requests and latency by route, conversation turns, webhook
    /// acknowledgements, the outboxes' lag and pace; and, read at the scrape, the database (up,
    /// pool size, time to get a connection and answer), jobs by state, the outboxes' and the
    /// advisors' queues, process memory.
    @Sendable
    func metrics(request: Request) async throws -> Response {
        let app = request.application
        try Self.authorizeMetrics(request)
        let metrics = app.httpMetrics

        let start = ContinuousClock.now
        let up = await Self.databaseAnswers(request.db, logger: request.logger)
        let elapsed = ContinuousClock.now - start
        metrics.gauge("ema_db_up", [], up ? 1 : 0)
        metrics.gauge("ema_db_pool_max_connections", [("driver", app.usesSQLite ? "sqlite" : "postgresql")], Double(Self.poolSize(app)))
        metrics.gauge("ema_db_pool_acquire_query_seconds", [], elapsed.seconds)
        if up {
            if let counts = try? await app.jobQueue.countsByState() {
                for state in JobState.allCases { metrics.gauge("ema_jobs", [("state", state.rawValue)], Double(counts[state] ?? 0)) }
            }
            for source in app.queueDepths {
                if let waiting = try? await source.count(request.db) { metrics.gauge("ema_queue_depth", [("queue", source.name)], Double(waiting)) }
            }
        }
        if let resident = Self.residentMemoryBytes() {
            metrics.gauge("process_resident_memory_bytes", [], Double(resident))
        }
        let response = Response(status: .ok, body: .init(string: metrics.render()))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    /// With `EMA_METRICS_TOKEN` and/or `EMA_METRICS_ALLOW` set, a scrape must bring the token
    /// (bearer) or come from an allowed address; either one is enough. Unset: open.
    static func authorizeMetrics(_ request: Request) throws {
        let config = request.application.emaConfig
        guard config.metricsToken != nil || !config.metricsAllow.isEmpty else { return }
        if config.metricsAllow.contains(request.clientAddress) { return }
        if let token = config.metricsToken, let bearer = request.headers.bearerAuthorization,
           ConstantTime.equals(Array(SHA256.hash(data: Data(bearer.token.utf8))), Array(SHA256.hash(data: Data(token.value.utf8)))) {
            return
        }
        throw request.headers.bearerAuthorization == nil ? PlatformError.missingToken : PlatformError.invalidToken
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
