// The monthly dispatch at scale, on PostgreSQL (DATABASE_URL):
//   queue  — N contracts, bills and active enrollments (seeded with generate_series through
//            psql), then `ema invoices dispatch` timed, with the command's peak resident memory;
//   send   — `ema serve` against a fake Graph API in this process at WHATSAPP_MAX_MPS for a while:
//            achieved rate and the busiest one-second window;
//   crash  — `ema serve` sending; the fake reports a "sent" status webhook for every message it
//            gets, as Meta does; `kill -9` mid-way, restart, wait: every bill must arrive once.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

func dispatchBenchmark(_ arguments: [String], ema: String) async throws {
    let databaseURL = postgresURL(for: "dispatch")
    let phase = arguments.option("--phase") ?? "queue"
    let count = Int(arguments.option("--enrollments") ?? "") ?? 1_000_000
    let mps = Int(arguments.option("--mps") ?? "") ?? 1_000
    let seconds = Double(arguments.option("--seconds") ?? "") ?? 60
    print("ema-bench dispatch \(phase) · PostgreSQL · \(ProcessInfo.processInfo.activeProcessorCount) cores")

    try runEma(ema, ["migrate", "--yes"], databaseURL: databaseURL)
    try seedEnrollments(count, databaseURL: databaseURL)
    switch phase {
    case "queue":
        let (elapsed, peak, output) = try timedEma(ema, ["invoices", "dispatch", "--period", "2026-11"], databaseURL: databaseURL)
        print(output.trimmingCharacters(in: .whitespacesAndNewlines))
        print("enrollments \(count)  queued in \(String(format: "%.1f", elapsed)) s  (\(Int(Double(count) / elapsed)) per second)  peak RSS \(peak / 1024) MB")
    case "send":
        try runEma(ema, ["invoices", "dispatch", "--period", "2026-11"], databaseURL: databaseURL)
        print(try await sendAtCeiling(ema, mps: mps, seconds: seconds, databaseURL: databaseURL))
    case "crash":
        try runEma(ema, ["invoices", "dispatch", "--period", "2026-11"], databaseURL: databaseURL)
        let secret = "secreto-dispatch"
        let fake = try await FakeGraph.start(report: secret)
        var environment = fake.environment(mps: mps, databaseURL: databaseURL)
        environment["WHATSAPP_APP_SECRET"] = secret
        environment["WHATSAPP_RESEND_GRACE_SECONDS"] = arguments.option("--grace") ?? "15"
        let port = 20_000 + Int.random(in: 0..<20_000)
        var first = try ServerProcess(ema: ema, port: port, environment: environment)
        fake.webhookURL.withLockedValue { $0 = "http://127.0.0.1:\(port)/webhooks/whatsapp" }
        while fake.count < count / 3 { try await Task.sleep(for: .milliseconds(20)) }
        first.kill9()
        let atKill = fake.count
        let interrupted = try psqlValue(databaseURL, "SELECT count(*) FROM whatsapp_outbox WHERE lane = 'bulk' AND state = 'sending'")
        print("kill -9 after \(atKill) messages, with \(interrupted) marked `sending` (in flight or claimed)")
        try await Task.sleep(for: .seconds(1))
        first = try ServerProcess(ema: ema, port: port, environment: environment)
        let deadline = ContinuousClock.now + .seconds(Double(count) / Double(mps) * 2 + 180)
        while fake.distinct < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(500)) }
        // Time for anything resent by mistake to show up.
        try await Task.sleep(for: .seconds(20))
        first.terminate()
        let ids = fake.ids
        let distinct = Set(ids)
        print("bills \(count)  received \(ids.count)  distinct \(distinct.count)  duplicates \(ids.count - distinct.count)  missing \(count - distinct.count)  status webhooks posted \(fake.reported)")
        await fake.stop()
    default:
        fail("--phase queue|send|crash")
    }
}

/// `ema serve` against the fake Graph API at `mps` for `seconds`: what arrived, the rate achieved
/// and the busiest one-second window, as one line.
func sendAtCeiling(_ ema: String, mps: Int, seconds: Double, databaseURL: String) async throws -> String {
    let fake = try await FakeGraph.start(report: nil)
    let server = try ServerProcess(ema: ema, port: 20_000 + Int.random(in: 0..<20_000), environment: fake.environment(mps: mps, databaseURL: databaseURL))
    try await Task.sleep(for: .seconds(seconds))
    server.terminate()
    let times = fake.arrivals.sorted()
    await fake.stop()
    guard let first = times.first, let last = times.last else { fail("nothing arrived") }
    let busiest = busiestSecond(times)
    let span = durationSeconds(last - first)
    return "ceiling \(mps)  messages \(times.count) in \(String(format: "%.1f", span)) s  achieved \(Int(Double(times.count - 1) / max(span, 0.001))) msg/s  busiest 1 s window \(busiest)  \(busiest <= mps ? "held" : "EXCEEDED")"
}

/// N contracts with a bill for 2026-11 and one active enrollment each (own number), added to
/// whatever the database holds (the demo data of `ema serve --demo` has no enrollments).
func seedEnrollments(_ count: Int, databaseURL: String, dueDate: String = "2026-11-23") throws {
    let start = ContinuousClock.now
    try psql(databaseURL, """
        BEGIN;
        INSERT INTO contracts (id, contract_number, holder_name, address, municipality, segment, services, status, paper_invoice, created_at, updated_at)
          SELECT gen_random_uuid(), (80000000 + g)::text, 'Cliente ' || g, 'CL ' || (g % 90 + 1) || ' 45 12', 'Medellín', 'hogares', 'energia', 'activo', false, now(), now()
          FROM generate_series(1, \(count)) AS g;
        INSERT INTO invoices (id, invoice_number, contract_id, period, issue_date, due_date, amount_cop, paid_cop, created_at, updated_at)
          SELECT gen_random_uuid(), 'F' || contract_number, id, '2026-11', '2026-11-03', '\(dueDate)', 100000 + (contract_number::bigint % 900) * 100, 0, now(), now()
          FROM contracts WHERE contract_number::bigint > 80000000;
        INSERT INTO enrollments (id, phone, contract_id, holder_name, channel, status, consecutive_failed_periods, created_at, updated_at)
          SELECT gen_random_uuid(), '+573' || lpad((contract_number::bigint - 80000000)::text, 9, '0'), id, 'Cliente', 'web', 'active', 0, now(), now()
          FROM contracts WHERE contract_number::bigint > 80000000;
        COMMIT;
        ANALYZE;
        """)
    print("seeded \(count) contracts, bills and enrollments in \(String(format: "%.1f", durationSeconds(ContinuousClock.now - start))) s")
}

func psql(_ databaseURL: String, _ script: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
    process.arguments = [databaseURL, "-q", "-v", "ON_ERROR_STOP=1", "-c", script]
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fail("psql failed") }
}

func psqlValue(_ databaseURL: String, _ query: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
    process.arguments = [databaseURL, "-At", "-c", query]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    process.waitUntilExit()
    return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func runEma(_ ema: String, _ arguments: [String], databaseURL: String) throws {
    _ = try timedEma(ema, arguments, databaseURL: databaseURL)
}

/// A WhatsApp configuration for commands that only queue (`ema invoices dispatch` refuses to
/// queue bills when WhatsApp is not configured: it fails closed).
let queueOnlyWhatsApp = [
    "WHATSAPP_ACCESS_TOKEN": "token-bench", "WHATSAPP_PHONE_NUMBER_ID": "106540352242922", "WHATSAPP_APP_SECRET": "secreto-bench",
]

/// Runs an `ema` command; returns its wall time, its peak resident memory (KiB, sampled from
/// /proc while it runs) and its output.
func timedEma(_ ema: String, _ arguments: [String], databaseURL: String) throws -> (Double, Int, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ema)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = databaseURL
    environment["LOG_LEVEL"] = "warning"
    environment.merge(queueOnlyWhatsApp) { current, _ in current }
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    let start = ContinuousClock.now
    try process.run()
    var peak = 0
    while process.isRunning {
        if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
            peak = max(peak, kib)
        }
        usleep(50_000)
    }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 else { fail("ema \(arguments.joined(separator: " ")) failed:\n\(text)") }
    return (durationSeconds(ContinuousClock.now - start), peak, text)
}

/// `ema serve` on a given port, that the crash test can kill without ceremony.
struct ServerProcess {
    let process = Process()

    init(ema: String, port: Int, environment extra: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: ema)
        process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// A Graph API that records every message (arrival time, callback data) and, like Meta,
/// reports a signed "sent" status for each to Ema's webhook, retrying while Ema is down.
final class FakeGraph: Sendable {
    let app: Application
    let port: Int
    private let state = NIOLockedValueBox<(times: [ContinuousClock.Instant], ids: [String], pending: [(String, String)], reported: Int)>(([], [], [], 0))
    let webhookURL = NIOLockedValueBox<String?>(nil)
    private let reporter: Task<Void, Never>?

    init(app: Application, port: Int, reporter: Task<Void, Never>?) {
        self.app = app
        self.port = port
        self.reporter = reporter
    }

    static func start(report secret: String?) async throws -> FakeGraph {
        let app = try await Application.make(.production)
        app.logger.logLevel = .error
        app.http.server.configuration.port = 0
        let holder = NIOLockedValueBox<FakeGraph?>(nil)
        app.on(.POST, "v21.0", ":phone", "messages", body: .collect(maxSize: "64kb")) { request -> Response in
            let body = request.body.string ?? ""
            let callback = body.range(of: #"entrega:[0-9A-Fa-f-]{36}"#, options: .regularExpression).map { String(body[$0]) } ?? ""
            let recipient = body.range(of: #""to":"\+?[0-9]+""#, options: .regularExpression).map { String(body[$0].dropFirst(6).dropLast()).replacingOccurrences(of: "+", with: "") } ?? ""
            holder.withLockedValue { $0 }?.received(callback: callback, recipient: recipient)
            let response = Response(status: .ok, body: .init(string: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.fake.\#(UUID().uuidString)"}]}"#))
            response.headers.contentType = .json
            return response
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        let task: Task<Void, Never>? = secret.map { secret in
            Task {
                let key = SymmetricKey(data: Data(secret.utf8))
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    guard let graph = holder.withLockedValue({ $0 }), let url = graph.webhookURL.withLockedValue({ $0 }) else { continue }
                    let batch = graph.takePending(500)
                    guard !batch.isEmpty else { continue }
                    let statuses = batch.map { #"{"id":"wamid.\#(UUID().uuidString)","status":"sent","timestamp":"\#(Int(Date().timeIntervalSince1970))","recipient_id":"\#($0.1)","biz_opaque_callback_data":"\#($0.0)"}"# }
                    let body = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","statuses":[\#(statuses.joined(separator: ","))]}}]}]}"#
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).map { String(format: "%02x", $0) }.joined())
                    request.body = .bytes(ByteBuffer(string: body))
                    let ok = (try? await HTTPClient.shared.execute(request, timeout: .seconds(10)))?.status == .ok
                    if ok { graph.reportedCount(batch.count) } else { graph.giveBack(batch) }
                }
            }
        }
        let fake = FakeGraph(app: app, port: port, reporter: task)
        holder.withLockedValue { $0 = fake }
        return fake
    }

    func received(callback: String, recipient: String) {
        state.withLockedValue {
            $0.times.append(.now)
            $0.ids.append(callback)
            if reporter != nil { $0.pending.append((callback, recipient)) }
        }
    }

    func takePending(_ limit: Int) -> [(String, String)] {
        state.withLockedValue { state in
            let batch = Array(state.pending.prefix(limit))
            state.pending.removeFirst(batch.count)
            return batch
        }
    }

    func giveBack(_ batch: [(String, String)]) { state.withLockedValue { $0.pending.insert(contentsOf: batch, at: 0) } }
    func reportedCount(_ n: Int) { state.withLockedValue { $0.reported += n } }

    var arrivals: [ContinuousClock.Instant] { state.withLockedValue { $0.times } }
    var ids: [String] { state.withLockedValue { $0.ids } }
    var count: Int { state.withLockedValue { $0.ids.count } }
    var distinct: Int { state.withLockedValue { Set($0.ids).count } }
    var reported: Int { state.withLockedValue { $0.reported } }

    func environment(mps: Int, databaseURL: String) -> [String: String] {
        [
            "DATABASE_URL": databaseURL, "EMA_WORKERS": "on", "EMA_WORKER_CONCURRENCY": "8",
            "WHATSAPP_GRAPH_URL": "http://127.0.0.1:\(port)/v21.0", "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "WHATSAPP_ACCESS_TOKEN": "token-bench", "WHATSAPP_APP_SECRET": "secreto-bench", "WHATSAPP_MAX_MPS": String(mps),
        ]
    }

    func stop() async {
        reporter?.cancel()
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}
