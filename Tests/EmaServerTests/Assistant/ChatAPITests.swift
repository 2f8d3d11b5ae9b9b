@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The code in the latest text message (SMS, not WhatsApp: the sandbox holds both) to a number.
/// The code in the newest SMS to `phone`, once the SMS outbox is sent.
func latestSMSCode(_ app: Application, to phone: String) async throws -> String {
    try await drainJobs(app)
    let message = try #require(try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").filter(\.$recipient == phone)
        .sort(\.$createdAt, .descending).first())
    return String(try #require(message.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))
}

/// A customer using the chat API.
struct ChatClient {
    let app: Application
    let tester: any TestingApplicationTester
    var sessionID = ""
    var replies: [Reply] = []
    /// Sent with every request (an `X-Forwarded-For` plays another client behind a proxy).
    var headers: HTTPHeaders = [:]
    /// The status of the last request.
    var status: HTTPResponseStatus = .ok

    /// `overNetwork`: through a real local server, so the client has an address.
    init(app: Application, overNetwork: Bool = false) {
        self.app = app
        tester = overNetwork ? try! app.testing(method: .running(port: 0)) : try! app.testing()
    }

    struct Started: Decodable { let sessionId: String; let replies: [Reply] }
    struct Answered: Decodable { let replies: [Reply] }

    mutating func start(channel: String = "web") async throws {
        var started: Started?
        var status = HTTPResponseStatus.ok
        try await tester.test(.POST, "api/v1/chat/sessions", headers: headers, beforeRequest: { request in
            try request.content.encode(["channel": channel])
        }, afterResponse: { response in
            status = response.status
            started = try? response.content.decode(Started.self)
        })
        self.status = status
        let result = try #require(started, "the session was not created: \(status)")
        sessionID = result.sessionId
        replies = result.replies
    }

    @discardableResult
    mutating func send(_ body: [String: String]) async throws -> HTTPResponseStatus {
        var status = HTTPResponseStatus.ok
        var answered: Answered?
        try await tester.test(.POST, "api/v1/chat/sessions/\(sessionID)/messages", headers: headers, beforeRequest: { request in
            try request.content.encode(body)
        }, afterResponse: { response in
            status = response.status
            answered = try? response.content.decode(Answered.self)
        })
        replies = answered?.replies ?? []
        self.status = status
        return status
    }

    mutating func say(_ text: String) async throws { try await send(["text": text]) }
    mutating func pick(_ id: String) async throws { try await send(["choice": id]) }

    var text: String {
        replies.map { reply in
            switch reply {
            case .text(let text): text
            case .choices(let text, let choices): text + " " + choices.map(\.title).joined(separator: " | ")
            case .link(_, let title): title
            case .document(_, _, let caption): caption
            }
        }.joined(separator: "\n")
    }

    var choices: [Choice] {
        replies.flatMap { reply -> [Choice] in
            if case .choices(_, let choices) = reply { return choices }
            return []
        }
    }

    /// The code of the latest SMS the sandbox received for a number.
    func lastCode(for phone: String) async throws -> String {
        try await latestSMSCode(app, to: phone)
    }

    /// Authorizes, accepts the terms and asks to enroll a contract.
    mutating func reachPhone() async throws {
        try await start()
        try await pick("consentimiento_si")
        try await pick("menu_factura_whatsapp")
        try await pick("inscribir_contrato")
    }

    /// Verifies a number with the code from the sandbox.
    mutating func verify(_ phone: String) async throws {
        try await say(phone)
        try await say(try await lastCode(for: ColombianMobile.e164(phone)!))
    }

    /// Picks the masked address that is the contract's own.
    mutating func pickRightAddress(_ contract: String) async throws {
        let address = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == contract).first()).address
        let right = try #require(choices.first { $0.title == Masking.address(address) })
        try await pick(right.id)
    }
}

@Suite("Web chat API and the enrollment, end to end")
struct ChatAPITests {
    func withDemoApp(_ body: (Application) async throws -> Void) async throws {
        try await withEmaApp(configure: { $0.adminToken = Secret("token-admin-chat") }) { app in
            _ = try await DemoData.load(into: app)
            try await body(app)
        }
    }

    @Test("A session starts with a greeting and the privacy question; its id is long and random")
    func start() async throws {
        try await withDemoApp { app in
            var chat = ChatClient(app: app)
            try await chat.start()
            #expect(chat.sessionID.count == 32)
            #expect(chat.sessionID.allSatisfy { $0.isHexDigit })
            #expect(chat.text.contains("Soy Ema"))
            #expect(chat.choices.map(\.id) == ["consentimiento_si", "consentimiento_leer", "consentimiento_no"])
            var other = ChatClient(app: app)
            try await other.start(channel: "kiosk")
            #expect(other.sessionID != chat.sessionID)
        }
    }

    @Test("Bad requests get stable codes", arguments: [
        ("api/v1/chat/sessions", #"{"channel":"fax"}"#, HTTPResponseStatus.badRequest, "invalid_channel"),
        ("api/v1/chat/sessions/no-existe/messages", #"{"text":"hola"}"#, .notFound, "session_not_found"),
    ])
    func badRequests(path: String, body: String, status: HTTPResponseStatus, code: String) async throws {
        try await withDemoApp { app in
            try await app.testing().test(.POST, path, headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body)) { response in
                #expect(response.status == status)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == code)
            }
        }
    }

    @Test("Empty and oversized messages are refused without touching the conversation")
    func badMessages() async throws {
        try await withDemoApp { app in
            var chat = ChatClient(app: app)
            try await chat.start()
            #expect(try await chat.send(["text": "   "]) == .badRequest)
            #expect(try await chat.send(["text": String(repeating: "a", count: 1_001)]) == .badRequest)
            try await chat.pick("consentimiento_si")
            #expect(chat.text.contains("¿En qué te puedo ayudar hoy?"))
        }
    }

    @Test("A demo contract is enrolled over the API; the evidence and the admin API show it")
    func enrollEndToEnd() async throws {
        try await withDemoApp { app in
            var chat = ChatClient(app: app)
            try await chat.reachPhone()
            try await chat.verify("300 123 4567")
            try await chat.say("María Fernanda Restrepo Gómez")
            try await chat.say("10234567")
            try await chat.pickRightAddress("10234567")
            try await chat.pick("confirmar_si")
            #expect(chat.text.contains("quedó inscrito"))

            let consents = try await ConsentRecord.query(on: app.db).sort(\.$createdAt).all()
            #expect(consents.map(\.kind) == ["politica_datos", "terminos"])
            #expect(consents.first?.textSHA256 == app.legalDocuments.privacy.sha256)
            #expect(consents.last?.textSHA256 == app.legalDocuments.terms.sha256)
            #expect(consents.allSatisfy { $0.granted && $0.channel == "web" && $0.conversationID == chat.sessionID })

            let auth: HTTPHeaders = ["Authorization": "Bearer token-admin-chat"]
            try await app.testing().test(.GET, "api/v1/admin/contracts/10234567", headers: auth) { response in
                let dto = try? response.content.decode(AdminContractDTO.self)
                #expect(dto?.enrollments.map(\.phone) == ["+573001234567"])
                #expect(dto?.enrollments.first?.status == "active")
                #expect(dto?.enrollments.first?.consecutiveFailedPeriods == 0)
            }
            try await app.testing().test(.GET, "api/v1/admin/phones/+573001234567/enrollments", headers: auth) { response in
                let dto = try? response.content.decode(AdminPhoneDTO.self)
                #expect(dto?.holderName == "María Fernanda Restrepo Gómez")
                #expect(dto?.enrollments.map(\.contractNumber) == ["10234567"])
            }
            try await app.testing().test(.GET, "api/v1/admin/phones/+573000000000/enrollments", headers: auth) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("A restart in the middle of a conversation loses nothing")
    func restart() async throws {
        try await withDemoApp { app in
            var chat = ChatClient(app: app)
            try await chat.reachPhone()
            try await chat.say("3001234567")
            let code = try await chat.lastCode(for: "+573001234567")
            try await withSecondNode(of: app) { restarted in
                var resumed = ChatClient(app: restarted)
                resumed.sessionID = chat.sessionID
                try await resumed.say(code)
                #expect(resumed.text.contains("Número verificado"))
                try await resumed.say("Luis Fernando Vélez")
                #expect(resumed.text.contains("Gracias, Luis"))
            }
        }
    }

    @Test("Two conversations of the same number at once cannot pass the limit of four contracts")
    func concurrentLimit() async throws {
        let manual = AppClock.Manual(Date())
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            let phone = "+573001234567"
            let active = try await Contract.query(on: app.db).filter(\.$status == "activo").sort(\.$contractNumber).all().map(\.contractNumber)
            let enrollments = EnrollmentService(database: app.db, clock: app.clock)
            for number in active.prefix(3) {
                let outcome = try await enrollments.enroll(EnrollmentRequest(phone: phone, contractNumber: number, holderName: "Ana Gómez", channel: .web))
                #expect(outcome == .enrolled)
            }
            // Two conversations reach the confirmation, each for a different fourth contract.
            var ready: [ChatClient] = []
            for number in active[3...4] {
                var chat = ChatClient(app: app)
                try await chat.reachPhone()
                try await chat.verify(phone)
                try await chat.say("Ana Gómez Restrepo")
                try await chat.say(number)
                try await chat.pickRightAddress(number)
                #expect(chat.text.contains("¿Confirmas"))
                ready.append(chat)
                manual.advance(by: 61)
            }
            let first = ready[0], second = ready[1]
            async let a = Self.confirm(first)
            async let b = Self.confirm(second)
            let texts = try await [a, b]
            let count = try await Enrollment.query(on: app.db).filter(\.$phone == phone).filter(\.$status == "active").count()
            #expect(count == 4)
            #expect(texts.filter { $0.contains("quedó inscrito") }.count == 1)
            #expect(texts.filter { $0.contains("máximo permitido") }.count == 1)
        }
    }

    static func confirm(_ chat: ChatClient) async throws -> String {
        var chat = chat
        try await chat.pick("confirmar_si")
        return chat.text
    }

    @Test("One connection cannot make Ema send codes to number after number")
    func codesPerClient() async throws {
        try await withEmaApp(configure: { $0.codesPerClientPerHour = 2 }) { app in
            _ = try await DemoData.load(into: app)
            for (index, phone) in ["3001110001", "3001110002", "3001110003"].enumerated() {
                var chat = ChatClient(app: app, overNetwork: true)
                try await chat.reachPhone()
                try await chat.say(phone)
                #expect(chat.text.contains(index < 2 ? "Te envié un código" : "desde esta conexión"))
            }
            try await drainJobs(app)
            let sent = try await SandboxMessage.query(on: app.db).count()
            #expect(sent == 2)
        }
    }

    @Test("The chat, kiosk and legal pages are in Spanish; the SMS outbox only shows in the demo")
    func pages() async throws {
        try await withEmaApp(configure: { $0.sandbox = false }) { app in
            _ = try await DemoData.load(into: app)
            for (path, expected) in [("chat", "Habla con Ema"), ("kiosco", "Autoatención"), ("legal/privacidad", "Ley 1581 de 2012"), ("legal/terminos", "cuatro (4) contratos")] {
                try await app.testing().test(.GET, path) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.body.string.contains(expected), "\(path)")
                    #expect(response.body.string.contains("lang=\"es-CO\""))
                }
            }
            for path in ["sandbox/sms", "simulador", "simulador/conversacion?numero=3001234567"] {
                try await app.testing().test(.GET, path) { response in
                    #expect(response.status == .notFound, "\(path) must exist only in the demo")
                }
            }
            app.isDemo = true
            try await app.testing().test(.GET, "simulador") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("Simulador de WhatsApp"))
            }
            _ = try await app.sms.send(to: "+573001234567", body: "EPM: tu código de verificación de Ema es 123456.")
            try await app.testing().test(.GET, "sandbox/sms") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("300 123 4567"))
                #expect(response.body.string.contains("123456"))
            }
        }
    }
}

@Suite("A web chat message retried with its id is answered once")
struct ChatRetryTests {
    @Test("The same messageId again returns the first answer: no second turn, no second code")
    func retriedMessage() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            var chat = ChatClient(app: app)
            try await chat.reachPhone()
            let id = "mensaje-\(UUID().uuidString)"
            try await chat.send(["text": "300 123 4567", "messageId": id])
            let first = chat.replies
            #expect(chat.text.contains("Te envié un código"))
            let version = try #require(try await Conversation.find(chat.sessionID, on: app.db)).version
            // The answer was lost on the way: the widget sends the same message again.
            try await chat.send(["text": "300 123 4567", "messageId": id])
            #expect(chat.status == .ok && chat.replies == first)
            #expect(try await Conversation.find(chat.sessionID, on: app.db)?.version == version)
            #expect(try await VerificationCode.query(on: app.db).count() == 1)
            #expect(try await app.db.sql.select().column("id").from(SMSOutbox.schema).all().count == 1)
            // A new message is a new turn.
            try await chat.send(["text": "000000", "messageId": "mensaje-\(UUID().uuidString)"])
            #expect(try await Conversation.find(chat.sessionID, on: app.db)?.version == version + 1)
            #expect(chat.replies != first)
            #expect(try await chat.send(["text": "hola", "messageId": String(repeating: "x", count: 65)]) == .badRequest)
        }
    }
}
