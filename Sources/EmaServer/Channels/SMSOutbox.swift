import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Text messages that leave through a job, so the change that causes one (a verification code
/// in a conversation's turn) and the message commit together: a turn that rolls back sends
/// nothing, and one that commits sends its SMS even if the node dies the next instant. The body
/// is sealed (AES-GCM under a platform key: it may hold a one-time code) and erased once sent.
/// A message whose sending was cut off is sent again: a code twice is better than none.
struct SMSOutbox: Sendable {
    static let schema = "sms_outbox"
    static let job = "sms.send"

    /// The caller's database (a transaction, for a turn).
    let database: any Database
    let clock: AppClock
    let key: PlatformKey
    /// False when no SMS provider is configured (and no sandbox stands in): nothing is queued.
    let available: Bool

    struct Payload: Codable { let id: UUID }

    /// queued → sent, or failed for good.
    enum State: String { case queued, sent, failed }

    /// The same outbox over another database (a transaction).
    func on(_ other: any Database) -> SMSOutbox {
        SMSOutbox(database: other, clock: clock, key: key, available: available)
    }

    /// Stores `body` for `phone` and queues its job; `SMSError.notConfigured` when SMS is not
    /// available on this node.
    @discardableResult
    func queue(_ body: String, to phone: String, purpose: String) async throws -> UUID {
        guard available else { throw SMSError.notConfigured }
        let id = UUID()
        let sealed = try AES.GCM.seal(Data(body.utf8), using: try await key.value(database)).combined ?? Data()
        let now = clock.now()
        try await database.sql.insert(into: Self.schema)
            .columns("id", "recipient", "purpose", "sealed", "state", "attempts", "created_at", "updated_at")
            .values(SQLBind(id), SQLBind(phone), SQLBind(purpose), SQLBind(sealed), SQLBind(State.queued.rawValue), SQLBind(0), SQLBind(now), SQLBind(now))
            .run()
        try await JobQueue(database: database, clock: clock).enqueue(kind: Self.job, payload: Payload(id: id), maxAttempts: 8, idempotencyKey: "sms:\(id)")
        return id
    }

    /// Messages waiting to be sent (for `/metrics`).
    static func queued(on database: any Database) async throws -> Int {
        try await database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(schema)
            .where("state", .equal, SQLBind(State.queued.rawValue)).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The job body: opens the message, sends it, and keeps only its proof.
    @Sendable static func send(_ context: JobContext, _ payload: String) async throws {
        let id = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8)).id
        let sql = context.database.sql
        guard let row = try await sql.select().columns("recipient", "sealed", "state", "created_at").from(schema).where("id", .equal, SQLBind(id)).first(),
              try row.decode(column: "state", as: String.self) == State.queued.rawValue
        else { return }
        let recipient = try row.decode(column: "recipient", as: String.self)
        let box = try AES.GCM.SealedBox(combined: try row.decode(column: "sealed", as: Data.self))
        let key = try await context.application.smsOutboxKey.value(context.database)
        let body = String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
        func settle(_ state: State, provider: String?, error: String?) async throws {
            try await sql.update(schema)
                .set("state", to: SQLBind(state.rawValue)).set("provider_id", to: SQLBind(provider)).set("last_error", to: SQLBind(error))
                .set("sealed", to: SQLBind(Data())).set("updated_at", to: SQLBind(context.clock.now()))
                .where("id", .equal, SQLBind(id)).run()
        }
        try await sql.update(schema).set("attempts", to: SQLRaw("attempts + 1")).where("id", .equal, SQLBind(id)).run()
        do {
            let receipt = try await context.application.sms.send(to: recipient, body: body)
            try await settle(.sent, provider: receipt.providerID, error: nil)
            let created = try row.decode(column: "created_at", as: Date.self)
            context.application.httpMetrics.sent(outbox: "sms", lagSeconds: context.clock.now().timeIntervalSince(created))
        } catch let error as SMSError where error.isRetryable {
            try await sql.update(schema).set("last_error", to: SQLBind(error.description)).where("id", .equal, SQLBind(id)).run()
            throw error
        } catch let error as SMSError {
            try await settle(.failed, provider: nil, error: error.description)
            context.logger.warning("SMS no enviado", metadata: ["to": .string(Masking.phone(recipient)), "error": .string(error.description)])
        }
    }
}

extension Application {
    private struct SMSOutboxKeyKey: StorageKey { typealias Value = PlatformKey }

    /// The key that seals queued SMS bodies (made at configure).
    var smsOutboxKey: PlatformKey {
        if let key = storage[SMSOutboxKeyKey.self] { return key }
        let key = PlatformKey(name: "sms_outbox")
        storage[SMSOutboxKeyKey.self] = key
        return key
    }

    func smsOutbox(database: (any Database)? = nil) -> SMSOutbox {
        SMSOutbox(database: database ?? db, clock: clock, key: smsOutboxKey, available: !(sms is UnavailableSMSSender))
    }
}

struct CreateSMSOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SMSOutbox.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("recipient", .string, .required)
            .field("purpose", .string, .required)
            .field("sealed", .data, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("provider_id", .string)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SMSOutbox.schema).delete()
    }
}
