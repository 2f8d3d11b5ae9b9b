@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Builds Meta-shaped webhook bodies.
enum Webhook {
    static func envelope(_ value: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573023000115","phone_number_id":"106540352242922"},"# + value + "}}]}]}"
    }

    static func text(_ body: String, from: String = "573001234567", id: String = "wamid.\(UUID().uuidString)", at timestamp: Int = 1_795_000_000) -> String {
        envelope(#""contacts":[{"profile":{"name":"Ana"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"\#(timestamp)","type":"text","text":{"body":"\#(body)"}}]"#)
    }

    static func button(_ choice: String, from: String = "573001234567", id: String = "wamid.\(UUID().uuidString)", at timestamp: Int = 1_795_000_010) -> String {
        envelope(#""messages":[{"context":{"from":"573023000115","id":"wamid.prev"},"from":"\#(from)","id":"\#(id)","timestamp":"\#(timestamp)","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"\#(choice)","title":"x"}}}]"#)
    }

    static func image(from: String = "573001234567") -> String {
        envelope(#""messages":[{"from":"\#(from)","id":"wamid.\#(UUID().uuidString)","timestamp":"1795000020","type":"image","image":{"id":"1","mime_type":"image/jpeg"}}]"#)
    }

    static func status(_ wamid: String, _ status: String, code: Int? = nil) -> String {
        let errors = code.map { #","errors":[{"code":\#($0),"title":"x"}]"# } ?? ""
        return envelope(#""statuses":[{"id":"\#(wamid)","status":"\#(status)","timestamp":"1795000030","recipient_id":"573001234567"\#(errors)}]"#)
    }
}

@Suite("WhatsApp webhook, conversations and outbound messages")
struct WhatsAppWebhookTests {
    static let secret = "app-secret-de-prueba"

    func withWhatsApp(graph: FakeProviderServer? = nil, clock: AppClock? = nil, _ body: (Application) async throws -> Void) async throws {
        try await withEmaApp(clock: clock, configure: { config in
            config.whatsApp.appSecret = Secret(Self.secret)
            config.whatsApp.verifyToken = Secret("token-verificacion")
            if let graph {
                config.whatsApp.graphURL = graph.baseURL + "/v21.0"
                config.whatsApp.phoneNumberID = "106540352242922"
                config.whatsApp.accessToken = Secret("EAAG-token")
            }
        }) { app in
            _ = try await DemoData.load(into: app)
            try await body(app)
        }
    }

    @discardableResult
    func post(_ app: Application, _ body: String, signature: String? = nil) async throws -> HTTPResponseStatus {
        var status = HTTPResponseStatus.ok
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.add(name: "X-Hub-Signature-256", value: signature ?? "sha256=" + WebhookSignature.sign(body: Data(body.utf8), secret: Self.secret))
        try await app.testing().test(.POST, "webhooks/whatsapp", headers: headers, body: ByteBuffer(string: body)) { response in
            status = response.status
        }
        return status
    }

    func sandbox(_ app: Application) async throws -> [String] {
        try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").sort(\.$createdAt).all().map(\.body)
    }

    @Test("The verification handshake echoes the challenge only with the right token")
    func handshake() async throws {
        try await withWhatsApp { app in
            try await app.testing().test(.GET, "webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=token-verificacion&hub.challenge=1158201444") { response in
                #expect(response.status == .ok)
                #expect(response.body.string == "1158201444")
            }
            for query in ["hub.mode=subscribe&hub.verify_token=otro&hub.challenge=1", "hub.mode=unsubscribe&hub.verify_token=token-verificacion&hub.challenge=1", ""] {
                try await app.testing().test(.GET, "webhooks/whatsapp?\(query)") { response in
                    #expect(response.status == .forbidden)
                }
            }
        }
    }

    @Test("Unsigned, wrongly signed and malformed posts are refused and nothing is processed")
    func badPosts() async throws {
        try await withWhatsApp { app in
            let body = Webhook.text("hola")
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            try await app.testing().test(.POST, "webhooks/whatsapp", headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "missing_signature")
            }
            #expect(try await post(app, body, signature: "sha256=" + String(repeating: "0", count: 64)) == .forbidden)
            // Signed with the right key but for another body.
            #expect(try await post(app, body, signature: "sha256=" + WebhookSignature.sign(body: Data((body + " ").utf8), secret: Self.secret)) == .forbidden)
            #expect(try await post(app, "{not json") == .badRequest)
            headers.add(name: "X-Hub-Signature-256", value: "sha256=abc")
            let stored = try await WhatsAppInbound.query(on: app.db).count()
            #expect(stored == 0)
            let jobs = try await JobRecord.query(on: app.db).filter(\.$kind == WhatsAppService.processJob).count()
            #expect(jobs == 0)
        }
    }

    @Test("A body over the 4 MB cap is refused before anything else")
    func sizeCap() async throws {
        try await withWhatsApp { app in
            let huge = String(repeating: "a", count: 5 * 1_024 * 1_024)
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers.add(name: "X-Hub-Signature-256", value: "sha256=" + WebhookSignature.sign(body: Data(huge.utf8), secret: Self.secret))
            // Over a real connection: the cap applies while the body streams in.
            try await app.testing(method: .running(port: 0)).test(.POST, "webhooks/whatsapp", headers: headers, body: ByteBuffer(string: huge)) { response in
                #expect(response.status == .payloadTooLarge)
            }
            let stored = try await WhatsAppInbound.query(on: app.db).count()
            #expect(stored == 0)
        }
    }

    @Test("A first message gets the greeting and the authorization question as reply buttons")
    func firstMessage() async throws {
        try await withWhatsApp { app in
            #expect(try await post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            let sent = try await sandbox(app)
            #expect(sent.count == 2)
            #expect(sent[0].contains(#""type":"text""#) && sent[0].contains("Soy Ema"))
            #expect(sent[1].contains(#""type":"button""#) && sent[1].contains("consentimiento_si"))
            #expect(sent.allSatisfy { $0.contains(#""to":"+573001234567""#) })
        }
    }

    @Test("A message delivered twice is answered once")
    func duplicate() async throws {
        try await withWhatsApp { app in
            let body = Webhook.text("hola", id: "wamid.repetido")
            #expect(try await post(app, body) == .ok)
            #expect(try await post(app, body) == .ok)
            try await drainJobs(app)
            #expect(try await sandbox(app).count == 2)
            #expect(try await WhatsAppInbound.query(on: app.db).count() == 1)
        }
    }

    @Test("Button replies drive the same flow, in order, and the sender's number is offered")
    func buttonsAndOrder() async throws {
        try await withWhatsApp { app in
            #expect(try await post(app, Webhook.text("hola", at: 1_795_000_000)) == .ok)
            try await drainJobs(app)
            // Two answers in one delivery, the later one first in the array: processed by timestamp.
            let both = Webhook.envelope(#""messages":[{"from":"573001234567","id":"wamid.b","timestamp":"1795000020","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"menu_factura_whatsapp","title":"Tu factura por WhatsApp"}}},{"from":"573001234567","id":"wamid.a","timestamp":"1795000010","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"consentimiento_si","title":"Sí, autorizo y acepto"}}}]"#)
            #expect(try await post(app, both) == .ok)
            try await drainJobs(app)
            #expect(try await post(app, Webhook.button("inscribir_contrato")) == .ok)
            try await drainJobs(app)
            let sent = try await sandbox(app)
            #expect(sent.contains { $0.contains("términos y condiciones") })
            // The main menu has 9 options: a list, with long titles clipped to 24 characters.
            let menu = try #require(sent.first { $0.contains("menu_factura_whatsapp") })
            #expect(menu.contains(#""type":"list""#))
            #expect(menu.contains("Ver opciones"))
            let last = try #require(sent.last)
            #expect(last.contains("usar_este_numero"))
            #expect(last.contains("Usar 300 123 4567"))
            let consents = try await ConsentRecord.query(on: app.db).all()
            #expect(consents.map(\.channel) == ["whatsapp", "whatsapp"])
        }
    }

    @Test("Images, audio and the like get a kind word that Ema reads text")
    func nonText() async throws {
        try await withWhatsApp { app in
            #expect(try await post(app, Webhook.text("hola")) == .ok)
            #expect(try await post(app, Webhook.image()) == .ok)
            try await drainJobs(app)
            let sent = try await sandbox(app)
            #expect(sent.last?.contains("solo puedo leer mensajes de texto") == true)
        }
    }

    @Test("Statuses move forward only; delivered wins over failed; the failure code is kept")
    func statuses() async throws {
        try await withWhatsApp { app in
            for status in ["sent", "read", "delivered", "failed"] {
                #expect(try await post(app, Webhook.status("wamid.uno", status, code: status == "failed" ? 131_026 : nil)) == .ok)
            }
            #expect(try await WhatsAppMessageStatus.find("wamid.uno", on: app.db)?.status == "read")
            #expect(try await post(app, Webhook.status("wamid.dos", "failed", code: 131_049)) == .ok)
            let failed = try await WhatsAppMessageStatus.find("wamid.dos", on: app.db)
            #expect(failed?.status == "failed")
            #expect(failed?.errorCode == 131_049)
            #expect(try await post(app, Webhook.status("wamid.dos", "delivered")) == .ok)
            #expect(try await WhatsAppMessageStatus.find("wamid.dos", on: app.db)?.status == "delivered")
        }
    }

    @Test("Replies go to the Graph API with the bearer token; throttling is retried, refusals are not")
    func graphAPI() async throws {
        try await withFakeProvider(fallback: .init(status: .ok, body: #"{"messaging_product":"whatsapp","contacts":[{"input":"+573001234567","wa_id":"573001234567"}],"messages":[{"id":"wamid.enviado"}]}"#)) { graph in
            try await withWhatsApp(graph: graph) { app in
                graph.script(.init(status: .badRequest, body: #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}}"#))
                #expect(try await post(app, Webhook.text("hola")) == .ok)
                try await drainJobs(app)
                let requests = graph.requests
                #expect(requests.count == 3)
                #expect(requests.allSatisfy { $0.path == "/v21.0/106540352242922/messages" })
                #expect(requests.allSatisfy { $0.headers.first(name: .authorization) == "Bearer EAAG-token" })
                let outbox = try await WhatsAppOutboxMessage.query(on: app.db).all()
                #expect(outbox.allSatisfy { $0.state == "sent" && $0.wamid == "wamid.enviado" })
                #expect(outbox.map(\.attempts).sorted() == [1, 2])

                graph.script(.init(status: .badRequest, body: #"{"error":{"message":"(#131026) Message Undeliverable","code":131026}}"#))
                #expect(try await post(app, Webhook.button("consentimiento_si")) == .ok)
                try await drainJobs(app)
                let failed = try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$state == "failed").all()
                #expect(failed.count == 1)
                #expect(failed.first?.attempts == 1)
                #expect(failed.first?.lastError?.contains("131026") == true)
            }
        }
    }

    @Test("Outside the 24-hour window a free-form message is not sent")
    func window() async throws {
        let manual = AppClock.Manual(Date())
        try await withEmaApp(clock: manual.clock, configure: { $0.whatsApp.appSecret = Secret(Self.secret) }) { app in
            _ = try await DemoData.load(into: app)
            #expect(try await post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            let service = app.whatsAppService()
            try await service.queueReplies([.text("Recordatorio")], to: "+573001234567")
            manual.advance(by: 24 * 3_600 + 1)
            try await drainJobs(app)
            let late = try #require(try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$state == "failed").first())
            #expect(late.lastError?.contains("24 horas") == true)
            #expect(try await sandbox(app).count == 2)
        }
    }

    @Test("A send interrupted between the call and its result is not repeated")
    func noDoubleSend() async throws {
        try await withWhatsApp { app in
            let service = app.whatsAppService()
            #expect(try await post(app, Webhook.text("hola")) == .ok)
            try await service.queueReplies([.text("uno")], to: "+573001234567")
            let row = try #require(try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$body ~~ "uno").first())
            row.state = "sending"
            try await row.save(on: app.db)
            try await service.sendQueued(to: "+573001234567", logger: app.logger)
            #expect(try await WhatsAppOutboxMessage.find(row.requireID(), on: app.db)?.state == "uncertain")
            let sent = try await sandbox(app)
            #expect(!sent.contains { $0.contains("uno") })
        }
    }

    @Test("Replies are rendered within WhatsApp's limits")
    func rendering() {
        let buttons = WhatsAppRenderer.render(.choices("¿Sí?", [Choice("a", "Sí"), Choice("b", "No")]), to: "+57")
        #expect((buttons["interactive"] as? [String: Any])?["type"] as? String == "button")
        let longTitles = (1...9).map { Choice("o\($0)", "Una opción con un título bastante largo \($0)") }
        let list = WhatsAppRenderer.render(.choices("Elige", longTitles), to: "+57")
        let rows = (((list["interactive"] as? [String: Any])?["action"] as? [String: Any])?["sections"] as? [[String: Any]])?.first?["rows"] as? [[String: String]]
        #expect(rows?.count == 9)
        #expect(rows?.allSatisfy { ($0["title"]?.count ?? 99) <= 24 && ($0["description"]?.count ?? 99) <= 72 } == true)
        let many = WhatsAppRenderer.render(.choices("Elige", (1...12).map { Choice("o\($0)", "Opción \($0)") }), to: "+57")
        #expect(many["type"] as? String == "text")
        #expect(((many["text"] as? [String: Any])?["body"] as? String)?.contains("12. Opción 12") == true)
        let four = WhatsAppRenderer.render(.choices("Elige", (1...4).map { Choice("o\($0)", "Corta \($0)") }), to: "+57")
        #expect((four["interactive"] as? [String: Any])?["type"] as? String == "list")
    }
}

@Suite("WhatsApp: every kind of message and error")
struct WhatsAppKindsTests {
    // A location is understood (damage reports and nearby offices: DamageTests, OfficesFlowTests).
    @Test("Each non-text type gets the kind answer; a reaction gets none", arguments: [
        ("image", #""image":{"id":"1","mime_type":"image/jpeg"}"#, true),
        ("audio", #""audio":{"id":"1","mime_type":"audio/ogg"}"#, true),
        ("video", #""video":{"id":"1"}"#, true),
        ("sticker", #""sticker":{"id":"1"}"#, true),
        ("document", #""document":{"id":"1","filename":"a.pdf"}"#, true),
        ("contacts", #""contacts":[{"name":{"formatted_name":"X"}}]"#, true),
        ("unsupported", #""errors":[{"code":131051,"title":"Message type unknown"}]"#, true),
        ("reaction", #""reaction":{"message_id":"wamid.x","emoji":"👍"}"#, false),
    ])
    func kinds(type: String, object: String, answered: Bool) async throws {
        try await withEmaApp(configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            let tests = WhatsAppWebhookTests()
            #expect(try await tests.post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            let before = try await tests.sandbox(app).count
            let body = Webhook.envelope(#""messages":[{"from":"573001234567","id":"wamid.\#(type)","timestamp":"1795000100","type":"\#(type)",\#(object)}]"#)
            #expect(try await tests.post(app, body) == .ok)
            try await drainJobs(app)
            let sent = try await tests.sandbox(app)
            #expect(sent.count == before + (answered ? 1 : 0))
            if answered { #expect(sent.last?.contains("solo puedo leer mensajes de texto") == true) }
        }
    }

    @Test("A failed status keeps Meta's code for every code of the spec", arguments: [
        368, 131_031, 130_497, 131_048, 131_049, 130_472, 131_042, 131_047, 132_015, 132_016, 131_037, 133_010,
        131_050, 131_026, 131_021, 131_053, 132_007, 132_000, 132_001, 132_005, 132_012, 131_051, 131_008, 131_009, 100,
        130_429, 131_056, 80_007, 4, 131_000, 131_016, 2, 133_004, 131_057,
    ])
    func failedStatus(code: Int) async throws {
        try await withEmaApp(configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            #expect(try await WhatsAppWebhookTests().post(app, Webhook.status("wamid.f", "failed", code: code)) == .ok)
            let status = try await WhatsAppMessageStatus.find("wamid.f", on: app.db)
            #expect(status?.status == "failed")
            #expect(status?.errorCode == code)
            #expect(DeliveryFailureCause.from(code: status?.errorCode) == DeliveryFailureCause.from(code: code))
        }
    }

    @Test("Graph API errors: transient codes are retried, the others are not", arguments: [130_429, 131_056, 80_007, 4, 131_000, 131_016, 2, 133_004, 131_057, 131_026, 131_047, 132_001, 368, 100])
    func graphErrors(code: Int) async throws {
        try await withFakeProvider(fallback: .init(status: .badRequest, body: #"{"error":{"message":"(#\#(code)) x","code":\#(code)}}"#)) { graph in
            try await withEmaApp { app in
                let client = GraphWhatsAppClient(client: app.client, graphURL: graph.baseURL, phoneNumberID: "1", accessToken: Secret("t"))
                do {
                    _ = try await client.send(["messaging_product": "whatsapp", "to": "+573001234567", "type": "text", "text": ["body": "x"]])
                    Issue.record("the send should have failed")
                } catch let error as WhatsAppSendError {
                    #expect(error.isRetryable == DeliveryFailureCause.transientCodes.contains(code))
                }
            }
        }
    }

    @Test("The pacer holds the ceiling: never more than the rate in any one-second window, spread over the second", .timeLimit(.minutes(1)))
    func pacer() async throws {
        let pacer = RatePacer(perSecond: 50)
        let start = ContinuousClock.now
        let times = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
            for _ in 0..<120 { group.addTask { try await pacer.take() } }
            var all: [ContinuousClock.Instant] = []
            for try await time in group { all.append(time) }
            return all.sorted()
        }
        #expect(times.count == 120)
        // However busy the machine was: at most 49 passes (98 % of 50) in any second...
        var busiest = 0
        var first = 0
        for last in times.indices {
            while times[last] - times[first] >= .seconds(1) { first += 1 }
            busiest = max(busiest, last - first + 1)
        }
        #expect(busiest <= 49)
        // ...at least 18 ms apart (0.9 of 1/50 s)...
        #expect(zip(times.dropFirst(), times).allSatisfy { $0 - $1 >= .milliseconds(18) })
        // ...so 120 sends cannot pass in under two seconds (how close to the ceiling it runs is
        // measured by `ema-bench dispatch --phase send`, not timed here).
        #expect(times.last! - start >= .seconds(2))
    }
}

@Suite("WhatsApp templates")
struct WhatsAppTemplateTests {
    @Test("A template carries its document header, positional parameters, URL button and callback data")
    func shape() throws {
        var template = WhatsAppTemplate(name: "factura_lista", language: "es_CO")
        template.headerDocument = .init(link: "https://ema.example.co/f/abc.pdf", filename: "factura-2026-11.pdf")
        template.bodyParameters = ["10234567", "noviembre de 2026", "$ 125.400", "23 de noviembre de 2026"]
        template.urlButtonSuffix = "abc"
        template.callbackData = "entrega:42"
        let message = template.message(to: "+573001234567")
        let data = try JSONSerialization.data(withJSONObject: message, options: .sortedKeys)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""type":"template""#))
        #expect(text.contains(#""language":{"code":"es_CO"}"#))
        #expect(text.contains(#""document":{"filename":"factura-2026-11.pdf","link":"https:\/\/ema.example.co\/f\/abc.pdf"}"#))
        #expect(text.contains(#""biz_opaque_callback_data":"entrega:42""#))
        #expect(text.contains(#""sub_type":"url""#))
        #expect(text.contains("$ 125.400"))
    }

    @Test("A template goes out even after the 24-hour window")
    func outsideWindow() async throws {
        let manual = AppClock.Manual(Date())
        try await withEmaApp(clock: manual.clock, configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            let tests = WhatsAppWebhookTests()
            #expect(try await tests.post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            manual.advance(by: 30 * 86_400)
            let service = app.whatsAppService()
            try await service.queueTemplate(WhatsAppTemplate(name: "factura_lista", language: "es_CO", bodyParameters: ["10234567"]), to: "+573001234567")
            try await service.queueReplies([.text("texto libre")], to: "+573001234567")
            try await drainJobs(app)
            let rows = try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$createdAt > Date(timeIntervalSinceNow: 86_400)).all()
            #expect(rows.first { $0.isTemplate }?.state == "sent")
            #expect(rows.first { !$0.isTemplate }?.state == "failed")
        }
    }
}
