// The replies benchmark (issue 18): do WhatsApp replies keep up with what comes in? Signed
// webhooks arrive open-loop at a fixed rate, each a «hola» from a new number, for a fixed time;
// the fake Graph API records every reply and answers it with a `sent` status webhook, as Meta
// does. Prints the acknowledgement latency, the time from each message's webhook to its first
// reply (p50/p99), and the replies per second that left.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore

func repliesBenchmark(_ arguments: [String], ema: String) async throws {
    let rate = Int(arguments.option("--rate") ?? "") ?? 200
    let seconds = Int(arguments.option("--seconds") ?? "") ?? 60
    let ceiling = Int(arguments.option("--mps") ?? "") ?? 1000
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    let secret = "secreto-de-las-respuestas"
    let key = SymmetricKey(data: Data(secret.utf8))
    let graph = ConversationGraph()
    let emaBase = NIOLockedValueBox("")
    // `--statuses off`: the fake Graph API posts no status webhooks (Meta posts sent, delivered
    // and read for each message; on by default, one `sent` each).
    let statuses = arguments.option("--statuses") != "off"
    // `--graph-ms`: the fake Graph API's answer time (Meta's is a few hundred milliseconds).
    let graphMilliseconds = Int(arguments.option("--graph-ms") ?? "") ?? 0
    let fake = try await ConversationGraphServer.start(graph: graph, key: key, emaBase: emaBase, statuses: statuses, latency: .milliseconds(graphMilliseconds))
    var environment = [
        "EMA_WORKERS": "on", "WHATSAPP_APP_SECRET": secret, "WHATSAPP_GRAPH_URL": fake.url,
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922", "WHATSAPP_ACCESS_TOKEN": "token-respuestas", "WHATSAPP_MAX_MPS": String(ceiling),
    ]
    if let concurrency = arguments.option("--workers") { environment["EMA_WORKER_CONCURRENCY"] = concurrency }
    let server = try await ServerUnderTest(ema: ema, environment: environment)
    emaBase.withLockedValue { $0 = server.base }
    let workers = environment["EMA_WORKER_CONCURRENCY"] ?? "default"
    print("ema-bench replies · \(databaseURL == nil ? "SQLite" : "PostgreSQL") · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(rate) messages/s for \(seconds) s · WHATSAPP_MAX_MPS \(ceiling) · workers \(workers) · status webhooks \(statuses ? "on" : "off") · Graph API answers in \(graphMilliseconds) ms")

    // How many replies a first «hola» brings.
    _ = await deliverWebhook(ChaosScript.webhook(.text("hola"), from: "573180000000", id: "wamid.ref.\(UUID().uuidString)"), to: server.base, key: key)
    try await Task.sleep(for: .seconds(3))
    let perMessage = graph.texts("573180000000").count
    guard perMessage > 0 else { fail("the reference «hola» got no reply") }

    let run = UUID().uuidString.prefix(6).lowercased()
    let total = rate * seconds
    let phones = (0..<total).map { String(573_300_000_000 + $0) }
    let start = ContinuousClock.now
    let acknowledgements = await withTaskGroup(of: (phone: String, sent: ContinuousClock.Instant, ack: Double).self) { group in
        for (index, phone) in phones.enumerated() {
            let due = start + .microseconds(Int64(index) * 1_000_000 / Int64(rate))
            if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
            group.addTask {
                let sent = await deliverWebhook(ChaosScript.webhook(.text("hola"), from: phone, id: "wamid.resp.\(run).\(phone)"), to: server.base, key: key)
                return (phone, sent, durationSeconds(ContinuousClock.now - sent))
            }
        }
        var all: [(phone: String, sent: ContinuousClock.Instant, ack: Double)] = []
        for await result in group { all.append(result) }
        return all
    }
    let sendingEnded = ContinuousClock.now
    // Wait for every reply (or two minutes without progress).
    var lastCount = -1, lastChange = ContinuousClock.now
    while true {
        let count = phones.reduce(0) { $0 + graph.texts($1).count }
        if count >= total * perMessage { break }
        if count != lastCount { lastCount = count; lastChange = .now }
        if ContinuousClock.now - lastChange > .seconds(120) { break }
        try await Task.sleep(for: .milliseconds(250))
    }
    var firstReplies: [Double] = [], missing = 0
    var replyInstants: [ContinuousClock.Instant] = []
    for entry in acknowledgements {
        let replies = graph.texts(entry.phone)
        if let first = replies.first { firstReplies.append(durationSeconds(first.at - entry.sent)) } else { missing += 1 }
        replyInstants += replies.map(\.at)
    }
    replyInstants.sort()
    let steadyFrom = start + .seconds(min(10, seconds / 3)), steadyTo = start + .seconds(seconds)
    let steady = replyInstants.filter { $0 >= steadyFrom && $0 < steadyTo }.count
    let steadyRate = Double(steady) / durationSeconds(steadyTo - steadyFrom)
    let lastReply = replyInstants.last.map { durationSeconds($0 - sendingEnded) } ?? 0
    let offered = Double(total) / durationSeconds(sendingEnded - start)
    print("inbound     \(total) messages at \(Int(offered))/s  acknowledged \(acknowledgements.count)  acknowledgement \(percentiles(acknowledgements.map { $0.ack }))")
    print("first reply \(percentiles(firstReplies))  without reply \(missing)")
    print("replies     \(replyInstants.count) of \(total * perMessage) (\(perMessage) per message)  \(Int(steadyRate))/s steady (asked \(rate * perMessage)/s)  busiest second \(busiestSecond(replyInstants))  last reply \(String(format: "%.1f", lastReply)) s after the last message")
    server.stop()
    try await fake.stop()
}
