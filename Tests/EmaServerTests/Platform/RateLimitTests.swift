@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Another client behind the test's proxy: the connection comes from 127.0.0.1, which the
/// configuration trusts, and the client is the address it forwards.
func forwarded(_ address: String) -> HTTPHeaders {
    ["X-Forwarded-For": address]
}

@Suite("Limits that live in the database")
struct RateLimitTests {
    @Test("Counts are shared by every node and outlive a restart; a window ends on time")
    func sharedCounts() async throws {
        let manual = AppClock.Manual(Date(timeIntervalSince1970: 1_800_000_000))
        try await withEmaApp(clock: manual.clock) { app in
            let rule = RateLimit("prueba.intentos", limit: 3, window: 600)
            #expect(try await app.rateLimits.take(rule, "10.0.0.1") == nil)
            #expect(try await app.rateLimits.take(rule, "10.0.0.1") == nil)
            try await withSecondNode(of: app) { other in
                let third = try await other.rateLimits.take(rule, "10.0.0.1")
                // The fourth attempt, on another node, is over: the wait is what is left of the window.
                let fourth = try await other.rateLimits.take(rule, "10.0.0.1")
                #expect(third == nil && fourth == 600)
            }
            #expect(try await app.rateLimits.retryAfter(rule, "10.0.0.1") == 600)
            #expect(try await app.rateLimits.retryAfter(rule, "10.0.0.2") == nil)
            manual.advance(by: 599)
            #expect(try await app.rateLimits.retryAfter(rule, "10.0.0.1") == 1)
            manual.advance(by: 1)
            #expect(try await app.rateLimits.take(rule, "10.0.0.1") == nil)
            // The key is stored only as an HMAC.
            let keys = try await app.db.sql.select().column("key_hash").from(RateLimiter.table).all()
                .map { try $0.decode(column: "key_hash", as: String.self) }
            #expect(keys.count == 1 && !keys.contains { $0.contains("10.0.0") })
            // Counts from many writers at once are all kept.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { try await app.rateLimits.record(rule, "10.0.0.9") } }
                try await group.waitForAll()
            }
            #expect(try await app.rateLimits.record(rule, "10.0.0.9") == 21)
        }
    }

    @Test("A sign-in lock-out outlives a restart and holds on every node; the wait is told in minutes")
    func signInLockOutPersists() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let office = try OfficeBrowser(app)
            for _ in 0..<5 { try await office.signIn("agente@ema.demo", "clave-equivocada") }
            try await withSecondNode(of: app) { restarted in
                let again = try OfficeBrowser(restarted)
                let page = try await again.signIn("agente@ema.demo", "agente-demo-2026")
                #expect(page.status == .tooManyRequests)
                #expect(page.body.contains("espera 15 minutos"))
                #expect(again.cookie == nil)
            }
        }
    }

    @Test("The wait is said in minutes or hours, never in seconds")
    func waitsInWords() {
        #expect(SpanishDuration.wait(seconds: 1) == "1 minuto")
        #expect(SpanishDuration.wait(seconds: 61) == "2 minutos")
        #expect(SpanishDuration.wait(seconds: 3_600) == "1 hora")
        #expect(SpanishDuration.wait(seconds: 5_400) == "1 hora y 30 minutos")
        #expect(SpanishDuration.wait(seconds: 7_200) == "2 horas")
        #expect(PlatformError.rateLimited(retryAfterSeconds: 3_600).reason.contains("espera 1 hora"))
        #expect(!PlatformError.rateLimited(retryAfterSeconds: 3_600).reason.contains("segundos"))
    }
}

@Suite("Contract lookups are limited per client across sessions and channels")
struct ContractLookupLimitTests {
    func withLookups(_ body: (Application) async throws -> Void) async throws {
        try await withEmaApp(configure: { config in
            config.trustedProxies = ["127.0.0.1"]
            config.chatSessionsPerClient = 1_000
        }) { app in
            _ = try await DemoData.load(into: app)
            try await body(app)
        }
    }

    static func askBalance(_ chat: inout ChatClient, contract: String = "10234567") async throws {
        try await chat.start()
        try await chat.pick("consentimiento_si")
        try await chat.say("cuánto debo")
        try await chat.say(contract)
    }

    @Test("A new chat session does not reset the count: the 61st lookup from one address is refused, in every channel")
    func acrossSessions() async throws {
        try await withLookups { app in
            // The first 57 as Factura Web counts them; the last three through new chat sessions.
            let lookups = ContractLookups(limits: app.rateLimits)
            for _ in 0..<(ContractLookups.perClient.limit - 3) {
                #expect(try await lookups.admit(client: "203.0.113.7", contract: "10234567") == nil)
            }
            for index in (ContractLookups.perClient.limit - 3)..<ContractLookups.perClient.limit {
                var chat = ChatClient(app: app, overNetwork: true)
                chat.headers = forwarded("203.0.113.7")
                try await Self.askBalance(&chat)
                #expect(chat.text.contains("Saldo a pagar"), "lookup \(index + 1)")
            }
            var over = ChatClient(app: app, overNetwork: true)
            over.headers = forwarded("203.0.113.7")
            try await Self.askBalance(&over)
            #expect(!over.text.contains("Saldo a pagar"))
            #expect(over.text.contains("muchas consultas de contratos"))
            let minutes = over.text.firstMatch(of: /en (\d+) minutos/).map { Int($0.1) ?? 0 } ?? 0
            #expect((1...10).contains(minutes), "\(over.text.prefix(200))")
            // Factura Web counts the same lookups.
            let web = try app.testing(method: .running(port: 0))
            try await web.test(.GET, "factura/10234567", headers: forwarded("203.0.113.7")) { response in
                #expect(response.status == .tooManyRequests)
            }
            // Another address is not held back.
            var other = ChatClient(app: app, overNetwork: true)
            other.headers = forwarded("198.51.100.20")
            try await Self.askBalance(&other)
            #expect(other.text.contains("Saldo a pagar"))
        }
    }

    @Test("A crowd reading one contract is stopped, and never locks out the WhatsApp number enrolled on it")
    func holderNotLockedOut() async throws {
        try await withLookups { app in
            let outcome = try await EnrollmentService(database: app.db, clock: app.clock)
                .enroll(EnrollmentRequest(phone: "+573001234567", contractNumber: "10234567", holderName: "María Restrepo", channel: .whatsapp))
            #expect(outcome == .enrolled)
            for index in 0..<ContractLookups.perContract.limit {
                let admitted = try await ContractLookups(limits: app.rateLimits).admit(client: "198.51.100.\(index % 200)", contract: "10234567")
                #expect(admitted == nil)
            }
            await #expect(throws: LookupLimited.self) { _ = try await app.assistantEffects(client: "203.0.113.40").contract(number: "10234567") }
            // Another WhatsApp number is a stranger to the contract, held back like the crowd.
            await #expect(throws: LookupLimited.self) { _ = try await app.assistantEffects(client: "+573009999999").bills(contractNumber: "10234567") }
            let holder = app.assistantEffects(client: "+573001234567")
            #expect(try await holder.contract(number: "10234567")?.number == "10234567")
            #expect(try await holder.bills(contractNumber: "10234567") != nil)
        }
    }

    @Test("Chat sessions per address are limited, so a new session cannot reset the per-conversation limits")
    func sessionsPerAddress() async throws {
        try await withEmaApp(configure: { config in
            config.trustedProxies = ["127.0.0.1"]
            config.chatSessionsPerClient = 3
        }) { app in
            let tester = try app.testing(method: .running(port: 0))
            for index in 0..<4 {
                try await tester.test(.POST, "api/v1/chat/sessions", headers: forwarded("203.0.113.8"), beforeRequest: { request in
                    try request.content.encode(["channel": "web"])
                }) { response in
                    #expect(response.status == (index < 3 ? .created : .tooManyRequests))
                    if index == 3 {
                        #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "rate_limited")
                        #expect(response.headers.first(name: "Retry-After") != nil)
                    }
                }
            }
            try await tester.test(.POST, "api/v1/chat/sessions", headers: forwarded("203.0.113.9"), beforeRequest: { request in
                try request.content.encode(["channel": "web"])
            }) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test("A conversation takes 60 messages a minute, counted in its own row; the next minute it goes on")
    func messagesPerConversation() async throws {
        let manual = AppClock.Manual(Date(timeIntervalSince1970: 1_800_000_000))
        try await withEmaApp(clock: manual.clock) { app in
            var chat = ChatClient(app: app)
            try await chat.start()
            for index in 0..<ChatController.messagesPerSession.limit {
                #expect(try await chat.send(["text": "hola"]) == .ok, "message \(index + 1)")
            }
            #expect(try await chat.send(["text": "hola"]) == .tooManyRequests)
            let row = try #require(try await Conversation.find(chat.sessionID, on: app.db))
            #expect(row.turnsInWindow == 60 && row.turnsWindowStart == 1_800_000_000)
            manual.advance(by: 60)
            #expect(try await chat.send(["text": "hola"]) == .ok)
        }
    }

    @Test("Many sessions opened at once on a fresh node all start: counting them never fails with a locked database")
    func sessionsAtOnce() async throws {
        try await withEmaApp(configure: { $0.chatSessionsPerClient = 1_000 }) { app in
            let client = app.client
            let statuses = try await withRunningServer(app) { port in try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await client.post(URI(string: "http://127.0.0.1:\(port)/api/v1/chat/sessions")) { try $0.content.encode(["channel": "web"]) }.status
                    }
                }
                var all: [HTTPResponseStatus] = []
                for try await status in group { all.append(status) }
                return all
            } }
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses.filter { $0 != .created })")
            #expect(try await Conversation.query(on: app.db).count() == 40)
        }
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, and only its last hop")
    func forwardedOnlyFromTrustedProxies() async throws {
        try await withEmaApp(configure: { $0.chatSessionsPerClient = 1 }) { app in
            let tester = try app.testing(method: .running(port: 0))
            var statuses: [HTTPResponseStatus] = []
            for address in ["203.0.113.1", "203.0.113.2"] {
                try await tester.test(.POST, "api/v1/chat/sessions", headers: forwarded(address), beforeRequest: { request in
                    try request.content.encode(["channel": "web"])
                }) { statuses.append($0.status) }
            }
            // Not behind a trusted proxy: both come from 127.0.0.1, whatever they claim.
            #expect(statuses == [.created, .tooManyRequests])
        }
    }

    @Test("Behind a trusted proxy, a port on a hop is dropped and an IPv6 network counts once per /64")
    func forwardedAddressKeys() async throws {
        #expect(ClientAddress.withoutPort("203.0.113.7:51234") == "203.0.113.7")
        #expect(ClientAddress.withoutPort("[2001:db8::1]:443") == "2001:db8::1")
        #expect(ClientAddress.withoutPort("2001:db8::1") == "2001:db8::1")
        #expect(ClientAddress.key("2001:db8:aa:bb:1:2:3:4") == "2001:db8:aa:bb::/64")
        #expect(ClientAddress.key("2001:0db8:00aa:00bb::9") == "2001:db8:aa:bb::/64")
        #expect(ClientAddress.key("2001:db8:aa:bc::9") == "2001:db8:aa:bc::/64")
        #expect(ClientAddress.key("::ffff:198.51.100.4") == "198.51.100.4")
        #expect(ClientAddress.key("198.51.100.4") == "198.51.100.4")
        try await withEmaApp(configure: { config in
            config.trustedProxies = ["127.0.0.1"]
            config.chatSessionsPerClient = 1
        }) { app in
            let tester = try app.testing(method: .running(port: 0))
            func open(_ chain: String) async throws -> HTTPResponseStatus {
                var status = HTTPResponseStatus.ok
                try await tester.test(.POST, "api/v1/chat/sessions", headers: forwarded(chain), beforeRequest: { request in
                    try request.content.encode(["channel": "web"])
                }) { status = $0.status }
                return status
            }
            // One client whose balancer writes the port: a new port is not a new client.
            #expect(try await open("203.0.113.7:50001") == .created)
            #expect(try await open("203.0.113.7:50002") == .tooManyRequests)
            // A forged hop on the left changes nothing; the last untrusted hop is the client.
            #expect(try await open("198.51.100.99, 203.0.113.7") == .tooManyRequests)
            // A phone rotating addresses inside its /64 is one client; the next /64 is another.
            #expect(try await open("[2001:db8:aa:bb::1]:443") == .created)
            #expect(try await open("2001:db8:aa:bb:ffff::2") == .tooManyRequests)
            #expect(try await open("2001:db8:aa:bc::1") == .created)
        }
    }
}
