// The sender benchmark: a fake Graph API in this process records when each message arrives;
// `ema serve` (workers on) answers N/2 customers who just wrote "hola" (two replies each) with
// WHATSAPP_MAX_MPS set to each ceiling. Prints the achieved rate and the busiest one-second
// window, which must never exceed the ceiling.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

func senderBenchmark(_ arguments: [String], ema: String) async throws {
    let ceilings = (arguments.option("--mps") ?? "80,1000").split(separator: ",").compactMap { Int($0) }
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    print("ema-bench sender · \(databaseURL == nil ? "SQLite" : "PostgreSQL") · \(ProcessInfo.processInfo.activeProcessorCount) cores")

    for ceiling in ceilings {
        let customers = Int(arguments.option("--customers") ?? "") ?? max(200, ceiling * 3)
        let arrivals = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        let fake = try await Application.make(.production)
        fake.logger.logLevel = .error
        fake.http.server.configuration.port = 0
        fake.post("v21.0", ":phone", "messages") { _ -> Response in
            arrivals.withLockedValue { $0.append(.now) }
            let response = Response(status: .ok, body: .init(string: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.fake"}]}"#))
            response.headers.contentType = .json
            return response
        }
        try await fake.server.start(address: .hostname("127.0.0.1", port: 0))
        let fakePort = fake.http.server.shared.localAddress?.port ?? 0
        if ProcessInfo.processInfo.environment["EMA_BENCH_DEBUG"] != nil { print("fake Graph on port \(fakePort)") }
        let secret = "secreto-sender"
        let server = try await ServerUnderTest(ema: ema, environment: [
            "EMA_WORKERS": "on", "EMA_WORKER_CONCURRENCY": "8", "WHATSAPP_APP_SECRET": secret,
            "WHATSAPP_GRAPH_URL": "http://127.0.0.1:\(fakePort)/v21.0", "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "WHATSAPP_ACCESS_TOKEN": "token-bench", "WHATSAPP_MAX_MPS": String(ceiling),
        ])
        let key = SymmetricKey(data: Data(secret.utf8))
        for customer in 0..<customers {
            let sender = String(573_100_000_000 + customer)
            let body = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"\#(sender)","id":"wamid.sender.\#(ceiling).\#(customer)","timestamp":"\#(Int(Date().timeIntervalSince1970))","type":"text","text":{"body":"hola"}}]}}]}]}"#
            var request = HTTPClientRequest(url: server.base + "/webhooks/whatsapp")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).map { String(format: "%02x", $0) }.joined())
            request.body = .bytes(ByteBuffer(string: body))
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        }
        let expected = customers * 2
        let deadline = ContinuousClock.now + .seconds(Double(expected) / Double(ceiling) * 3 + 60)
        while arrivals.withLockedValue({ $0.count }) < expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let times = arrivals.withLockedValue { $0 }.sorted()
        server.stop()
        await fake.server.shutdown()
        try await fake.asyncShutdown()
        guard let first = times.first, let last = times.last else { print("ceiling \(ceiling): nothing arrived"); continue }
        let busiest = busiestSecond(times)
        let span = durationSeconds(last - first)
        print("ceiling \(String(ceiling).padding(toLength: 5, withPad: " ", startingAt: 0)) messages \(times.count)/\(expected)  achieved \(Int(Double(times.count - 1) / max(span, 0.001))) msg/s  busiest 1 s window \(busiest)  \(busiest <= ceiling ? "held" : "EXCEEDED")")
    }
}
