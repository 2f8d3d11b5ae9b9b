@testable import EmaServer
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
}
