@testable import EmaServer
import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// Collects log lines in memory.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var text: String { lines.withLockedValue { $0.joined() } }

    func logger() -> Logger {
        Logger(label: "ema.test") { [self] label in
            EmaLogHandler(label: label, level: .trace, format: .json, sink: { line in self.lines.withLockedValue { $0.append(line) } })
        }
    }
}

@Suite("What reaches the logs")
struct LogPrivacyTests {
    @Test("Tokens, secrets and contract numbers never reach a log line; routes and statuses do")
    func noSecretsInLogs() async throws {
        let capture = LogCapture()
        try await withEmaApp(configure: { config in
            config.adminToken = Secret("AdminSecreto-123456")
            config.whatsApp.accessToken = Secret("EAAG-token-de-meta-777")
            config.whatsApp.phoneNumberID = "1"
            config.twilio.authToken = Secret("twilio-auth-888")
        }, prepare: { app in
            app.logger = capture.logger()
        }) { app in
            app.logProviders()
            _ = try await DemoData.load(into: app)
            let tester = try app.testing(method: .running(port: 0))
            try await tester.test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer TokenIntentado-999"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await tester.test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer AdminSecreto-123456"]) { response in
                #expect(response.status == .ok)
            }
            try await tester.test(.GET, "no/existe/10234567?codigo=482913") { response in
                #expect(response.status == .notFound)
            }
        }
        let logs = capture.text
        #expect(logs.contains("Ema configurada"))
        #expect(logs.contains("/api/v1/admin/contracts/:number"))
        #expect(logs.contains("\"status\":\"401\""))
        for secret in ["AdminSecreto-123456", "TokenIntentado-999", "EAAG-token-de-meta-777", "twilio-auth-888", "10234567", "482913"] {
            #expect(!logs.contains(secret), "«\(secret)» reached the logs")
        }
        // Each line is one JSON object.
        for line in logs.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any])
        }
    }

    @Test("A full enrollment on the web leaves no full number, name, code or address in any log line")
    func enrollmentLogs() async throws {
        let capture = LogCapture()
        var secrets: [String] = []
        try await withEmaApp(prepare: { app in
            app.logger = capture.logger()
        }) { app in
            _ = try await DemoData.load(into: app)
            var chat = ChatClient(app: app, overNetwork: true)
            try await chat.reachPhone()
            try await chat.say("300 123 4567")
            let code = try await chat.lastCode(for: "+573001234567")
            try await chat.say(code)
            try await chat.say("María Fernanda Restrepo Gómez")
            try await chat.say("10234567")
            try await chat.pickRightAddress("10234567")
            try await chat.pick("confirmar_si")
            #expect(chat.text.contains("quedó inscrito"))
            let address = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first()).address
            secrets = ["+573001234567", "3001234567", "300 123 4567", "María Fernanda", "Restrepo Gómez", code, address]
        }
        let logs = capture.text
        #expect(logs.contains("/api/v1/chat/sessions/:id/messages") && logs.contains("+57 ••• ••• ••67"))
        for secret in secrets {
            #expect(!logs.contains(secret), "«\(secret)» reached the logs")
        }
    }
}
