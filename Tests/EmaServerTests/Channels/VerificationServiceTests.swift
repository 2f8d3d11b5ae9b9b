@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("SMS verification codes")
struct VerificationServiceTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)
    static let phone = "+573001234567"

    func service(_ app: Application) -> VerificationService {
        VerificationService(database: app.db, outbox: app.smsOutbox(), clock: app.clock, utilityName: "EPM")
    }

    /// The code of the newest SMS in the sandbox, once the SMS outbox is sent.
    func lastCode(_ app: Application) async throws -> String {
        try await drainJobs(app)
        let message = try #require(try await SandboxMessage.query(on: app.db).sort(\.$createdAt, .descending).first())
        let digits = message.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }
        return String(try #require(digits))
    }

    @Test("The SMS carries a 6-digit code that is accepted once; the database keeps only a salted hash")
    func acceptOnce() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            #expect(try await service(app).issue(to: Self.phone) == .sent)
            let code = try await lastCode(app)
            let message = try #require(try await SandboxMessage.query(on: app.db).first())
            #expect(message.body.contains("Vence en 10 minutos"))
            let stored = try #require(try await VerificationCode.query(on: app.db).first())
            #expect(stored.codeHash != Data(code.utf8))
            #expect(stored.codeHash.count == 32)
            #expect(!String(decoding: stored.codeHash + stored.salt, as: UTF8.self).contains(code))

            manual.advance(by: 120)
            #expect(try await service(app).check(phone: Self.phone, code: " \(code) ") == .accepted)
            // Typed again after it verified the number: used, not «expired» (it has minutes left).
            #expect(try await service(app).check(phone: Self.phone, code: code) == .used)
            #expect(try await service(app).check(phone: "+573009999999", code: code) == .missing)
        }
    }

    @Test("Five wrong tries kill the code")
    func wrongTries() async throws {
        try await withEmaApp(clock: AppClock.Manual(Self.start).clock) { app in
            _ = try await service(app).issue(to: Self.phone)
            let code = try await lastCode(app)
            let wrong = code == "000000" ? "111111" : "000000"
            var results: [OneTimeCodePolicy.CheckResult] = []
            for attempt in [wrong, "12", "abcdef", wrong, wrong] {
                results.append(try await service(app).check(phone: Self.phone, code: attempt))
            }
            #expect(results == [.wrong(remaining: 4), .wrong(remaining: 3), .wrong(remaining: 2), .wrong(remaining: 1), .exhausted])
            #expect(try await service(app).check(phone: Self.phone, code: code) == .exhausted)
        }
    }

    @Test("A code expires after ten minutes")
    func expiry() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await service(app).issue(to: Self.phone)
            let code = try await lastCode(app)
            manual.advance(by: 600)
            #expect(try await service(app).check(phone: Self.phone, code: code) == .expired)
        }
    }

    @Test("A new code waits 60 seconds and replaces the previous one; five an hour at most")
    func resendAndLimit() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            #expect(try await service(app).issue(to: Self.phone) == .sent)
            let first = try await lastCode(app)
            manual.advance(by: 30)
            #expect(try await service(app).issue(to: Self.phone) == .wait(seconds: 30))
            manual.advance(by: 30)
            #expect(try await service(app).issue(to: Self.phone) == .sent)
            let second = try await lastCode(app)
            if first != second {
                #expect(try await service(app).check(phone: Self.phone, code: first) == .wrong(remaining: 4))
            }
            for _ in 0..<3 {
                manual.advance(by: 61)
                #expect(try await service(app).issue(to: Self.phone) == .sent)
            }
            manual.advance(by: 61)
            guard case .hourlyLimit(let wait) = try await service(app).issue(to: Self.phone) else {
                Issue.record("the sixth code in an hour must be refused")
                return
            }
            #expect(wait == 3_600 - 4 * 61 - 60)
            try await drainJobs(app)
            #expect(try await SandboxMessage.query(on: app.db).count() == 5)
            // Another number is not affected.
            #expect(try await service(app).issue(to: "+573109876543") == .sent)
        }
    }

    struct OutboxRow: Decodable, Equatable {
        let state: String
        let attempts: Int
        let sealed: Data
        let provider_id: String?
        let last_error: String?
    }

    func outbox(_ app: Application) async throws -> [OutboxRow] {
        try await app.db.sql.select().columns("state", "attempts", "sealed", "provider_id", "last_error")
            .from(SMSOutbox.schema).all(decoding: OutboxRow.self)
    }

    @Test("The code's SMS leaves from the outbox after the commit, sealed until sent and erased after; a rollback sends nothing")
    func throughTheOutbox() async throws {
        try await withEmaApp { app in
            #expect(try await service(app).issue(to: Self.phone) == .sent)
            let queued = try #require(try await outbox(app).first)
            #expect(queued.state == "queued" && !queued.sealed.isEmpty)
            #expect(!String(decoding: queued.sealed, as: UTF8.self).contains("verificación"))
            #expect(try await SandboxMessage.query(on: app.db).count() == 0)
            let code = try await lastCode(app)
            let sent = try #require(try await outbox(app).first)
            #expect(sent.state == "sent" && sent.sealed.isEmpty && sent.provider_id?.hasPrefix("sandbox") == true && sent.attempts == 1)
            #expect(try await service(app).check(phone: Self.phone, code: code) == .accepted)

            // A turn that rolls back leaves no code and no SMS.
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await app.db.transaction { transaction in
                    let inside = VerificationService(database: transaction, outbox: app.smsOutbox(database: transaction), clock: app.clock, utilityName: "EPM")
                    let issued = try await inside.issue(to: "+573109876543")
                    #expect(issued == .sent)
                    throw Rollback()
                }
            }
            #expect(try await VerificationCode.query(on: app.db).filter(\.$phone == "+573109876543").count() == 0)
            #expect(try await outbox(app).count == 1)
            try await drainJobs(app)
            #expect(try await SandboxMessage.query(on: app.db).count() == 1)
        }
    }

    @Test("When the SMS provider is down, the code waits in the outbox and the job retries; without a provider nothing is stored")
    func providerDown() async throws {
        try await withEmaApp(configure: unreachableTwilio) { app in
            #expect(try await service(app).issue(to: Self.phone) == .sent)
            // One run of the job: the provider does not answer, the job asks to be retried.
            let id = try #require(try await app.db.sql.select().column("id").from(SMSOutbox.schema).first()?.decode(column: "id", as: UUID.self))
            let context = JobContext(database: app.db, application: app, logger: app.logger, clock: app.clock)
            await #expect(throws: SMSError.self) { try await SMSOutbox.send(context, #"{"id":"\#(id.uuidString)"}"#) }
            let row = try #require(try await outbox(app).first)
            #expect(row.state == "queued" && row.attempts == 1 && !row.sealed.isEmpty)
            #expect(row.last_error?.contains("SMS no enviado por ahora") == true)
        }
        try await withProductionApp { app in
            let issued = try await service(app).issue(to: Self.phone)
            #expect(issued == VerificationService.IssueResult.unavailable)
            #expect(try await VerificationCode.query(on: app.db).count() == 0)
            #expect(try await outbox(app).isEmpty)
        }
    }
}
