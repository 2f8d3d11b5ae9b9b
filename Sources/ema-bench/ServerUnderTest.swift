// Starting `ema serve` for a benchmark, and a small load loop shared by the HTTP benchmarks.
import AsyncHTTPClient
import Foundation
import NIOCore

/// An `ema serve --demo` on a free port with its own SQLite file (or DATABASE_URL). `kill()`
/// and `start()` again play a crash and a restart on the same port and database.
final class ServerUnderTest: @unchecked Sendable {
    private(set) var process = Process()
    let base: String
    let work: URL
    let ema: String
    let port: Int
    let environment: [String: String]

    init(ema: String, environment extra: [String: String]) async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("ema-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        port = 20_000 + Int.random(in: 0..<20_000)
        base = "http://127.0.0.1:\(port)"
        self.ema = ema
        var environment = ProcessInfo.processInfo.environment
        // EMA_BENCH_LOG_LEVEL=debug (with EMA_BENCH_DEBUG=1) shows every SQL statement the server runs.
        environment["LOG_LEVEL"] = environment["EMA_BENCH_LOG_LEVEL"] ?? "warning"
        environment["EMA_SQLITE_PATH"] = work.appendingPathComponent("ema.sqlite").path
        environment.merge(extra) { $1 }
        self.environment = environment
        try await start()
    }

    /// Starts the process and waits for `/health`.
    func start() async throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: ema)
        process.arguments = ["serve", "--demo", "--hostname", "127.0.0.1", "--port", String(port)]
        process.environment = environment
        if ProcessInfo.processInfo.environment["EMA_BENCH_DEBUG"] == nil { process.standardOutput = FileHandle.nullDevice }
        try process.run()
        for _ in 0..<300 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(2)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        stop()
        fail("ema serve did not answer on \(base)")
    }

    /// `kill -9`: no shutdown, no flush, leases left held.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: work)
    }
}

/// The load generator's client: as many connections per host as loops (AsyncHTTPClient's default
/// of 8 would cap the concurrency the benchmark claims).
let loadClient: HTTPClient = {
    var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(30)))
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1_024)
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()

/// Runs `concurrency` loops for `seconds`, each making requests with `next(loop, n)`; returns
/// the latencies of the successful ones and the count of failures.
func load(concurrency: Int, seconds: Double, _ next: @escaping @Sendable (Int, Int) -> HTTPClientRequest) async throws -> (latencies: [Double], failures: Int, elapsed: Double) {
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(seconds * 1000))
    let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
        for loop in 0..<concurrency {
            group.addTask {
                var latencies: [Double] = []
                var failures = 0
                var n = 0
                while ContinuousClock.now < deadline {
                    let request = next(loop, n)
                    n += 1
                    let sent = ContinuousClock.now
                    do {
                        let response = try await loadClient.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if (200..<300).contains(response.status.code) { latencies.append(durationSeconds(ContinuousClock.now - sent)) } else { failures += 1 }
                    } catch {
                        failures += 1
                    }
                }
                return (latencies, failures)
            }
        }
        var all: [Double] = []
        var failures = 0
        for try await (part, failed) in group {
            all += part
            failures += failed
        }
        return (all, failures)
    }
    return (results.0, results.1, durationSeconds(ContinuousClock.now - start))
}

func durationSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func percentiles(_ values: [Double]) -> String {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return "no answers" }
    func p(_ q: Double) -> String { String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000) }
    return "p50 \(p(0.5)) ms  p99 \(p(0.99)) ms  max \(String(format: "%.2f", sorted.last! * 1000)) ms"
}

/// The most instants that fall within any one second.
func busiestSecond(_ sorted: [ContinuousClock.Instant]) -> Int {
    var busiest = 0
    var start = 0
    for end in sorted.indices {
        while sorted[end] - sorted[start] >= .seconds(1) { start += 1 }
        busiest = max(busiest, end - start + 1)
    }
    return busiest
}

extension Array where Element == String {
    /// The value after `name` on the command line (`--rows 1000`), if given.
    func option(_ name: String) -> String? {
        guard let index = firstIndex(of: name), index + 1 < count else { return nil }
        return self[index + 1]
    }
}

/// `DATABASE_URL`, which a PostgreSQL-only benchmark needs (a throw-away database).
func postgresURL(for benchmark: String) -> String {
    guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
        fail("ema-bench \(benchmark) needs DATABASE_URL (a throw-away PostgreSQL database)")
    }
    return url
}
