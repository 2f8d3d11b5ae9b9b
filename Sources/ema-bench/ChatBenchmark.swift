// The conversation benchmark: starts `ema serve --demo` on a free port, then runs N
// conversations at once through the web chat API (consent, terms, menus, a phone number whose
// code goes to the sandbox, a wrong code, free text for the classifier), R rounds each, and
// prints turns per second and the latency percentiles of a turn.
import AsyncHTTPClient
import Foundation
import NIOCore

func chatBenchmark(_ arguments: [String], ema: String) async throws {
    let conversations = arguments.option("--conversations").flatMap { Int($0) } ?? 100
    let rounds = arguments.option("--rounds").flatMap { Int($0) } ?? 5
    // A person reads and types between messages; 0 measures saturation instead.
    let thinkMilliseconds = arguments.option("--think-ms").flatMap { Int($0) } ?? 500
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    // Each simulated customer comes from an address of its own, forwarded by "a load balancer"
    // at 127.0.0.1, as behind a real one; each asks a code every round, so the per-address cap
    // on codes is lifted.
    let server = try await ServerUnderTest(ema: ema, environment: [
        "EMA_WORKERS": "off", "EMA_CODES_PER_CLIENT_HOUR": "1000000", "EMA_TRUSTED_PROXIES": "127.0.0.1",
    ])
    defer { server.stop() }
    let client = loadClient
    let base = server.base

    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for conversation in 0..<conversations {
            group.addTask {
                var own: [Double] = []
                for round in 0..<rounds {
                    let phone = String(3_000_000_000 + conversation * 1_000 + round)
                    let address = "10.\(conversation / 65_536 % 256).\(conversation / 256 % 256).\(conversation % 256)"
                    try await converse(client: client, base: base, phone: phone, address: address, thinkMilliseconds: thinkMilliseconds, into: &own)
                }
                return own
            }
        }
        var all: [Double] = []
        for try await part in group { all += part }
        return all
    }
    let seconds = durationSeconds(ContinuousClock.now - start)

    if ProcessInfo.processInfo.environment["EMA_BENCH_BY_TURN"] != nil {
        for turn in 0..<11 {
            let own = stride(from: turn, to: latencies.count, by: 11).map { latencies[$0] }.sorted()
            print("turn \(turn): p50 \(String(format: "%.2f", own[own.count / 2] * 1000)) p99 \(String(format: "%.2f", own[Int(Double(own.count) * 0.99)] * 1000))")
        }
    }
    let sorted = latencies.sorted()
    func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
    print("ema-bench chat · \(databaseURL == nil ? "SQLite" : "PostgreSQL") · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(conversations) conversations at once × \(rounds) rounds · think \(thinkMilliseconds) ms")
    print("turns \(sorted.count) in \(String(format: "%.1f", seconds)) s = \(Int(Double(sorted.count) / seconds)) turns/s")
    print("latency ms: p50 \(String(format: "%.2f", percentile(0.50)))  p90 \(String(format: "%.2f", percentile(0.90)))  p99 \(String(format: "%.2f", percentile(0.99)))  max \(String(format: "%.2f", (sorted.last ?? 0) * 1000))")
}

/// One customer's conversation: 11 turns, each timed.
func converse(client: HTTPClient, base: String, phone: String, address: String, thinkMilliseconds: Int, into latencies: inout [Double]) async throws {
    if thinkMilliseconds > 0 {
        // Customers do not all arrive in the same millisecond.
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...(thinkMilliseconds * 2))))
    }
    let started = try await timedPost(client, base + "/api/v1/chat/sessions", #"{"channel":"web"}"#, from: address, &latencies)
    guard let data = started.data(using: .utf8),
          let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let id = object["sessionId"] as? String
    else { fail("unexpected answer: \(started.prefix(200))") }
    let turns = [
        #"{"choice":"consentimiento_si"}"#, #"{"choice":"menu_factura_whatsapp"}"#,
        #"{"choice":"inscribir_contrato"}"#, "{\"text\":\"\(phone)\"}", #"{"text":"000000"}"#, #"{"text":"menú"}"#,
        #"{"text":"cuanto debo de la factura"}"#, #"{"text":"a que numero los llamo"}"#, #"{"text":"gracias"}"#,
    ]
    for body in turns {
        if thinkMilliseconds > 0 {
            // Spread out: half to one and a half times the think time.
            try await Task.sleep(for: .milliseconds(thinkMilliseconds / 2 + Int.random(in: 0...thinkMilliseconds)))
        }
        _ = try await timedPost(client, base + "/api/v1/chat/sessions/\(id)/messages", body, from: address, &latencies)
    }
}

func timedPost(_ client: HTTPClient, _ url: String, _ body: String, from address: String, _ latencies: inout [Double]) async throws -> String {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "X-Forwarded-For", value: address)
    request.body = .bytes(ByteBuffer(string: body))
    let start = ContinuousClock.now
    let response = try await client.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    latencies.append(durationSeconds(ContinuousClock.now - start))
    guard (200..<300).contains(Int(response.status.code)) else { fail("\(url) answered \(response.status.code): \(String(buffer: bytes).prefix(200))") }
    return String(buffer: bytes)
}
