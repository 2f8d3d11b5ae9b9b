// The webhook benchmark: realistic signed WhatsApp webhooks (an inbound text message from one of
// many senders, each with a new message id) posted at rising concurrency; requests per second and
// latency of the acknowledgement. `--url` points the same load at another server (the pywa
// comparison bot), which must accept the same secret.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

func webhookBenchmark(_ arguments: [String], ema: String) async throws {
    let levels = (arguments.option("--concurrency") ?? "16,64,256").split(separator: ",").compactMap { Int($0) }
    let duration = Double(arguments.option("--seconds") ?? "8") ?? 8
    let secret = arguments.option("--secret") ?? "secreto-del-benchmark"
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    var server: ServerUnderTest?
    let url: String
    if let given = arguments.option("--url") {
        url = given
    } else {
        let started = try await ServerUnderTest(ema: ema, environment: ["EMA_WORKERS": "off", "WHATSAPP_APP_SECRET": secret])
        server = started
        url = started.base + "/webhooks/whatsapp"
    }
    let target = arguments.option("--url") == nil ? (databaseURL == nil ? "Ema on SQLite" : "Ema on PostgreSQL") : url
    print("ema-bench webhook · \(target) · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(Int(duration)) s per level")
    let key = SymmetricKey(data: Data(secret.utf8))
    let run = UUID().uuidString.prefix(8)
    for concurrency in levels {
        let result = try await load(concurrency: concurrency, seconds: duration) { loop, n in
            let sender = String(573_000_000_000 + loop * 10_000 + n % 10_000)
            let body = """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573023000115","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Cliente"},"wa_id":"\(sender)"}],"messages":[{"from":"\(sender)","id":"wamid.bench.\(run).\(concurrency).\(loop).\(n)","timestamp":"\(Int(Date().timeIntervalSince1970))","type":"text","text":{"body":"hola, quiero recibir la factura por whatsapp"}}]}}]}]}
                """
            let signature = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).map { String(format: "%02x", $0) }.joined()
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + signature)
            request.body = .bytes(ByteBuffer(string: body))
            return request
        }
        let rate = Double(result.latencies.count) / result.elapsed
        print("concurrency \(String(concurrency).padding(toLength: 4, withPad: " ", startingAt: 0))  \(Int(rate)) req/s  \(percentiles(result.latencies))  failures \(result.failures)")
    }
    server?.stop()
}
