// The chaos benchmark: customers in multi-step WhatsApp conversations, sent as signed webhooks
// (retried until acknowledged, as Meta does) while `ema serve` is `kill -9`ed at random
// instants and restarted. A fake Graph API in this process records every reply and answers each
// with a `sent` status webhook (retried until acknowledged). Each customer's replies are then
// compared with the transcript of one customer who talked without kills: a reply missing is
// lost, one too many is doubled. Prints both, and the time from a message's first webhook to
// its first reply, without kills and with them.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// What the fake Graph API received, per recipient (digits), in order.
final class ConversationGraph: Sendable {
    let received = NIOLockedValueBox<[String: [(text: String, at: ContinuousClock.Instant)]]>([:])
    let counter = ChaosCounter()

    func texts(_ recipient: String) -> [(text: String, at: ContinuousClock.Instant)] {
        received.withLockedValue { $0[recipient] ?? [] }
    }

    /// The words a customer sees in a message (its text, or the body of its buttons or list).
    static func text(of message: [String: Any]) -> String {
        if let text = message["text"] as? [String: Any], let body = text["body"] as? String { return body }
        if let interactive = message["interactive"] as? [String: Any], let body = interactive["body"] as? [String: Any], let text = body["text"] as? String {
            return text
        }
        if let document = message["document"] as? [String: Any] { return "documento: \(document["filename"] as? String ?? "")" }
        if let template = message["template"] as? [String: Any] { return "plantilla: \(template["name"] as? String ?? "")" }
        return "?"
    }
}

final class ChaosCounter: Sendable {
    private let value = NIOLockedValueBox(0)
    func next() -> Int { value.withLockedValue { $0 += 1; return $0 } }
}

/// A fake Graph API in this process: records every message in `graph` and answers it with a
/// wamid, then posts a `sent` status webhook for it to Ema (retried until acknowledged, as
/// Meta does), echoing its `biz_opaque_callback_data`.
struct ConversationGraphServer {
    let application: Application
    let url: String

    /// `latency`: how long the fake takes to answer each message (Meta's own takes a few hundred
    /// milliseconds; zero measures Ema alone).
    static func start(graph: ConversationGraph, key: SymmetricKey, emaBase: NIOLockedValueBox<String>, statuses: Bool = true,
                      latency: Duration = .zero) async throws -> ConversationGraphServer {
        let fake = try await Application.make(.production)
        fake.logger.logLevel = .error
        fake.post("v21.0", ":phone", "messages") { request async -> Response in
            if latency > .zero { try? await Task.sleep(for: latency) }
            let message = (try? JSONSerialization.jsonObject(with: Data(buffer: request.body.data ?? ByteBuffer()))) as? [String: Any] ?? [:]
            let recipient = (message["to"] as? String ?? "").filter(\.isNumber)
            graph.received.withLockedValue { $0[recipient, default: []].append((ConversationGraph.text(of: message), .now)) }
            let wamid = "wamid.caos.\(graph.counter.next())"
            if statuses {
                let callback = (message["biz_opaque_callback_data"] as? String).map { #","biz_opaque_callback_data":"\#($0)""# } ?? ""
                let status = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"id":"\#(wamid)","status":"sent","timestamp":"\#(Int(Date().timeIntervalSince1970))","recipient_id":"\#(recipient)"\#(callback)}]}}]}]}"#
                let base = emaBase.withLockedValue { $0 }
                Task { await deliverWebhook(status, to: base, key: key) }
            }
            let response = Response(status: .ok, body: .init(string: #"{"messaging_product":"whatsapp","contacts":[{"input":"\#(recipient)","wa_id":"\#(recipient)"}],"messages":[{"id":"\#(wamid)"}]}"#))
            response.headers.contentType = .json
            return response
        }
        try await fake.server.start(address: .hostname("127.0.0.1", port: 0))
        return ConversationGraphServer(application: fake, url: "http://127.0.0.1:\(fake.http.server.shared.localAddress?.port ?? 0)/v21.0")
    }

    func stop() async throws {
        await application.server.shutdown()
        try await application.asyncShutdown()
    }
}

/// Posts a signed webhook until Ema acknowledges it with 200 (Meta retries for days); returns
/// the instant of the first try.
@discardableResult
func deliverWebhook(_ body: String, to base: String, key: SymmetricKey) async -> ContinuousClock.Instant {
    let first = ContinuousClock.now
    let signature = "sha256=" + HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    while true {
        var request = HTTPClientRequest(url: base + "/webhooks/whatsapp")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Hub-Signature-256", value: signature)
        request.body = .bytes(ByteBuffer(string: body))
        if let response = try? await loadClient.execute(request, timeout: .seconds(10)) {
            _ = try? await response.body.collect(upTo: 1 << 16)
            if response.status == .ok { return first }
        }
        try? await Task.sleep(for: .milliseconds(300))
    }
}

func chaosBenchmark(_ arguments: [String], ema: String) async throws {
    let customers = Int(arguments.option("--customers") ?? "") ?? 100
    let kills = Int(arguments.option("--kills") ?? "") ?? 10
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    let secret = "secreto-del-caos"
    let key = SymmetricKey(data: Data(secret.utf8))
    let graph = ConversationGraph()
    let emaBase = NIOLockedValueBox("")

    let fake = try await ConversationGraphServer.start(graph: graph, key: key, emaBase: emaBase)
    let server = try await ServerUnderTest(ema: ema, environment: [
        "EMA_WORKERS": "on", "WHATSAPP_APP_SECRET": secret, "WHATSAPP_GRAPH_URL": fake.url,
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922", "WHATSAPP_ACCESS_TOKEN": "token-caos", "WHATSAPP_MAX_MPS": "1000",
        "WHATSAPP_RESEND_GRACE_SECONDS": "20",
    ])
    emaBase.withLockedValue { $0 = server.base }
    print("ema-bench chaos · \(databaseURL == nil ? "SQLite" : "PostgreSQL") · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(customers) customers × \(ChaosScript.steps.count) messages")

    // The reference: one customer, no kills; how many replies each step brings.
    let reference = try await ChaosScript.converse(phone: "573190000000", run: "ref", base: server.base, key: key, graph: graph, expected: nil)
    guard reference.counts.allSatisfy({ $0 > 0 }) else { fail("the reference conversation got no reply at some step: \(reference.counts)") }
    let transcript = graph.texts("573190000000").map(\.text)

    for (label, killCount) in [("without kills", 0), ("with \(kills) kills", kills)] {
        let run = UUID().uuidString.prefix(6).lowercased()
        let phones = (0..<customers).map { String(573_200_000_000 + (killCount == 0 ? 0 : 100_000) + $0) }
        let done = NIOLockedValueBox(false)
        let killer = Task {
            for _ in 0..<killCount {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 1_500...4_000)))
                if done.withLockedValue({ $0 }) { break }
                server.kill()
                try? await server.start()
            }
        }
        let started = ContinuousClock.now
        let latencies = await withTaskGroup(of: [Double].self) { group in
            for phone in phones {
                group.addTask {
                    (try? await ChaosScript.converse(phone: phone, run: run, base: server.base, key: key, graph: graph, expected: reference.counts))?.latencies ?? []
                }
            }
            var all: [Double] = []
            for await part in group { all += part }
            return all
        }
        done.withLockedValue { $0 = true }
        await killer.value
        // Late replies and statuses settle.
        try await Task.sleep(for: .seconds(5))
        var lost = 0, doubled = 0, exact = 0
        for phone in phones {
            let got = graph.texts(phone).map(\.text)
            var missing = Dictionary(transcript.map { ($0, 1) }, uniquingKeysWith: +)
            for text in got { missing[text, default: 0] -= 1 }
            lost += missing.values.filter { $0 > 0 }.reduce(0, +)
            doubled += missing.values.filter { $0 < 0 }.reduce(0) { $0 - $1 }
            if got == transcript { exact += 1 }
        }
        let elapsed = durationSeconds(ContinuousClock.now - started)
        print("\(label.padding(toLength: 16, withPad: " ", startingAt: 0)) messages \(customers * ChaosScript.steps.count)  replies expected \(customers * transcript.count)  lost \(lost)  doubled \(doubled)  conversations in order \(exact)/\(customers)  first reply \(percentiles(latencies))  (\(Int(elapsed)) s)")
    }
    server.stop()
    try await fake.stop()
}

/// One customer's conversation: consent, terms, the menu, offices, thanks.
enum ChaosScript {
    enum Step { case text(String), button(String) }

    static let steps: [Step] = [.text("hola"), .button("consentimiento_si"), .text("menú"), .text("oficinas"), .text("gracias")]

    static func webhook(_ step: Step, from phone: String, id: String) -> String {
        let content: String
        switch step {
        case .text(let text): content = #""type":"text","text":{"body":"\#(text)"}"#
        case .button(let choice): content = #""type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"\#(choice)","title":"x"}}"#
        }
        return #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":"Cliente"},"wa_id":"\#(phone)"}],"messages":[{"from":"\#(phone)","id":"\#(id)","timestamp":"\#(Int(Date().timeIntervalSince1970))",\#(content)}]}}]}]}"#
    }

    /// Sends each step once its previous replies came (`expected`: how many each step brings;
    /// nil: wait until none came for 1.5 s). Returns the replies per step and the time from each
    /// message's first webhook to its first reply.
    static func converse(phone: String, run: String, base: String, key: SymmetricKey, graph: ConversationGraph,
                         expected: [Int]?) async throws -> (counts: [Int], latencies: [Double]) {
        var counts: [Int] = []
        var latencies: [Double] = []
        for (index, step) in steps.enumerated() {
            let before = graph.texts(phone).count
            let sent = await deliverWebhook(webhook(step, from: phone, id: "wamid.caos.\(run).\(phone).\(index)"), to: base, key: key)
            let deadline = ContinuousClock.now + .seconds(120)
            var lastCount = before, lastChange = ContinuousClock.now
            while ContinuousClock.now < deadline {
                let now = graph.texts(phone)
                if now.count != lastCount { lastCount = now.count; lastChange = .now }
                if let expected, now.count >= before + expected[index] { break }
                if expected == nil, now.count > before, ContinuousClock.now - lastChange > .milliseconds(1_500) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let replies = graph.texts(phone)
            if replies.count > before { latencies.append(durationSeconds(replies[before].at - sent)) }
            counts.append(replies.count - before)
        }
        return (counts, latencies)
    }
}
