// The webhook benchmark: realistic signed WhatsApp webhooks (an inbound text message from one of
// many senders, each with a new message id, its contact with the business-scoped `user_id` Meta
// adds in 2026) posted at rising concurrency; requests per second and
// latency of the acknowledgement. `--url` points the same load at another server only (the pywa
// comparison bot, which must accept the same secret); `--compare URL` runs each level against Ema
// and then against that server in the same run, and prints the ratio. `--workers on` answers the
// messages meanwhile, as in production: Ema's worker runs the turns and sends the replies to a
// fake Graph API in this process, which posts a `sent` status webhook for each.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore

func webhookBenchmark(_ arguments: [String], ema: String) async throws {
    let levels = (arguments.option("--concurrency") ?? "16,64,256").split(separator: ",").compactMap { Int($0) }
    let duration = Double(arguments.option("--seconds") ?? "8") ?? 8
    let secret = arguments.option("--secret") ?? "secreto-del-benchmark"
    let workers = arguments.option("--workers") == "on"
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    let key = SymmetricKey(data: Data(secret.utf8))

    var server: ServerUnderTest?
    var fake: ConversationGraphServer?
    let graph = ConversationGraph()
    var targets: [(name: String, url: String)] = []
    if let given = arguments.option("--url") {
        targets.append((given, given))
    } else {
        var environment = ["EMA_WORKERS": workers ? "on" : "off", "WHATSAPP_APP_SECRET": secret]
        if workers {
            let emaBase = NIOLockedValueBox("")
            let started = try await ConversationGraphServer.start(graph: graph, key: key, emaBase: emaBase)
            fake = started
            environment.merge(["WHATSAPP_GRAPH_URL": started.url, "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
                               "WHATSAPP_ACCESS_TOKEN": "token-webhook", "WHATSAPP_MAX_MPS": "1000"]) { $1 }
            server = try await ServerUnderTest(ema: ema, environment: environment)
            emaBase.withLockedValue { $0 = server!.base }
        } else {
            server = try await ServerUnderTest(ema: ema, environment: environment)
        }
        // The other server goes first, all its levels: Ema's backlog of turns (workers on) must
        // not take its CPU.
        if let other = arguments.option("--compare") { targets.append((other, other)) }
        targets.append((databaseURL == nil ? "Ema on SQLite" : "Ema on PostgreSQL", server!.base + "/webhooks/whatsapp"))
    }
    print("ema-bench webhook · \(targets.map(\.name).joined(separator: " vs ")) · workers \(workers ? "on (replies to a fake Graph API)" : "off") · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(Int(duration)) s per level")
    let run = UUID().uuidString.prefix(8)
    var rates: [String: [Int: Double]] = [:]
    for target in targets {
        let isEma = target.url.hasPrefix(server?.base ?? "-")
        for concurrency in levels {
            let repliesBefore = graph.received.withLockedValue { $0.values.reduce(0) { $0 + $1.count } }
            let result = try await load(concurrency: concurrency, seconds: duration) { loop, n in
                let sender = String(573_000_000_000 + loop * 10_000 + n % 10_000)
                let body = """
                    {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573023000115","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Cliente"},"wa_id":"\(sender)","user_id":"CO.\(sender)"}],"messages":[{"from":"\(sender)","id":"wamid.bench.\(run).\(concurrency).\(isEma).\(loop).\(n)","timestamp":"\(Int(Date().timeIntervalSince1970))","type":"text","text":{"body":"hola, quiero recibir la factura por whatsapp"}}]}}]}]}
                    """
                let signature = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).map { String(format: "%02x", $0) }.joined()
                var request = HTTPClientRequest(url: target.url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + signature)
                request.body = .bytes(ByteBuffer(string: body))
                return request
            }
            let rate = Double(result.latencies.count) / result.elapsed
            rates[target.name, default: [:]][concurrency] = rate
            let replies = graph.received.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } - repliesBefore
            let sent = workers && isEma ? "  replies sent meanwhile \(replies) (\(Int(Double(replies) / result.elapsed))/s)" : ""
            print("\(target.name.prefix(40).padding(toLength: 40, withPad: " ", startingAt: 0))  concurrency \(String(concurrency).padding(toLength: 4, withPad: " ", startingAt: 0))  \(Int(rate)) req/s  \(percentiles(result.latencies))  failures \(result.failures)\(sent)")
        }
    }
    if targets.count == 2, let other = rates[targets[0].name], let mine = rates[targets[1].name] {
        print("ratio Ema ÷ \(targets[0].name) in req/s: " + levels.map { "\(String(format: "%.2f", (mine[$0] ?? 0) / max(1, other[$0] ?? 0))) at \($0)" }.joined(separator: ", "))
    }
    server?.stop()
    try await fake?.stop()
}
