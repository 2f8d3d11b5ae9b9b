@testable import EmaServer
import Fluent
import Foundation
import Testing
import Vapor

@Suite("SMS through Twilio's protocol, and the sandbox")
struct SMSSenderTests {
    static let accepted = FakeProviderServer.Scripted(status: .created, body: #"{"sid":"SM0123456789abcdef","status":"queued"}"#)

    func withTwilio(_ body: (Application, FakeProviderServer) async throws -> Void) async throws {
        try await withFakeProvider(fallback: Self.accepted) { fake in
            try await withEmaApp(configure: { config in
                config.twilio.apiURL = fake.baseURL
                config.twilio.accountSID = "AC00000000000000000000000000000001"
                config.twilio.authToken = Secret("token-twilio-de-prueba")
                config.twilio.from = "+15005550006"
            }) { app in
                try await body(app, fake)
            }
        }
    }

    @Test("A message is posted to the Messages resource with Basic auth and the form fields")
    func sends() async throws {
        try await withTwilio { app, fake in
            let receipt = try await app.sms.send(to: "+573001234567", body: "Tu código de Ema es 123456")
            #expect(receipt == SMSReceipt(providerID: "SM0123456789abcdef", status: "queued"))
            let request = try #require(fake.requests.first)
            #expect(request.method == .POST)
            #expect(request.path == "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json")
            let credentials = Data("AC00000000000000000000000000000001:token-twilio-de-prueba".utf8).base64EncodedString()
            #expect(request.headers.first(name: .authorization) == "Basic \(credentials)")
            #expect(request.headers.contentType?.subType == "x-www-form-urlencoded")
            #expect(formFields(request.body) == ["To": "+573001234567", "From": "+15005550006", "Body": "Tu código de Ema es 123456"])
        }
    }

    @Test("A refusal is permanent and keeps Twilio's error code")
    func rejected() async throws {
        try await withTwilio { app, fake in
            fake.script(.init(status: .badRequest, body: #"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#))
            await #expect(throws: SMSError.rejected(status: 400, code: 21211, message: "The 'To' number is not a valid phone number.")) {
                try await app.sms.send(to: "+573001234567", body: "x")
            }
        }
    }

    @Test("Throttling and provider errors are worth retrying", arguments: [HTTPResponseStatus.tooManyRequests, .internalServerError, .serviceUnavailable])
    func temporary(status: HTTPResponseStatus) async throws {
        try await withTwilio { app, fake in
            fake.script(.init(status: status, body: #"{"code":20429,"message":"Too Many Requests"}"#))
            do {
                _ = try await app.sms.send(to: "+573001234567", body: "x")
                Issue.record("the send should have failed")
            } catch let error as SMSError {
                #expect(error.isRetryable)
            }
        }
    }

    @Test("A provider that does not answer is a temporary failure")
    func unreachable() async throws {
        try await withEmaApp(configure: unreachableTwilio) { app in
            do {
                _ = try await app.sms.send(to: "+573001234567", body: "x")
                Issue.record("the send should have failed")
            } catch let error as SMSError {
                #expect(error.isRetryable)
            }
        }
    }

    @Test("Without credentials the message lands in the sandbox outbox")
    func sandbox() async throws {
        try await withEmaApp { app in
            let receipt = try await app.sms.send(to: "+573001234567", body: "Tu código de Ema es 654321")
            #expect(receipt.providerID.hasPrefix("sandbox-"))
            let stored = try await SandboxMessage.query(on: app.db).all()
            #expect(stored.count == 1)
            #expect(stored.first?.channel == "sms")
            #expect(stored.first?.recipient == "+573001234567")
            #expect(stored.first?.body == "Tu código de Ema es 654321")
        }
    }
}
