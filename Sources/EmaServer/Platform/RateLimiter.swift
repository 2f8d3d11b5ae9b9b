import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A limit on attempts: at most `limit` in each window of `window` seconds, per key. `name`
/// labels the limit's counters in the database (`factura.direccion`); two limits never share one.
public struct RateLimit: Sendable, Equatable {
    public let name: String
    public let limit: Int
    public let window: TimeInterval

    public init(_ name: String, limit: Int, window: TimeInterval) {
        self.name = name
        self.limit = limit
        self.window = window
    }
}

/// Counts attempts per key in the `rate_limits` table, so every node sees the same counts and a
/// restart lifts nothing. Fixed windows: the first attempt opens one; when it ends, the next
/// attempt opens a new one. Keys (addresses, numbers, radicados) are stored only as an HMAC
/// under a platform secret. One statement per count (an upsert), the same on SQLite and
/// PostgreSQL, so two nodes counting at once never lose a count.
struct RateLimiter: Sendable {
    let database: any Database
    let clock: AppClock
    let key: RateLimitKey

    /// Seconds until `key` may try again under `rule`, or nil when it may try now. Counts nothing.
    func retryAfter(_ rule: RateLimit, _ subject: String) async throws -> Int? {
        let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        let row = try await sql.select().columns("count", "window_start").from(Self.table)
            .where("bucket", .equal, SQLBind(rule.name))
            .where("key_hash", .equal, SQLBind(try await hash(rule, subject)))
            .first()
        guard let row else { return nil }
        let count = try row.decode(column: "count", as: Int64.self)
        let start = try row.decode(column: "window_start", as: Int64.self)
        return Self.wait(count: count, start: start, now: now, rule: rule, over: count >= Int64(rule.limit))
    }

    /// Counts one attempt of `subject` under `rule`; returns the count in the current window.
    @discardableResult
    func record(_ rule: RateLimit, _ subject: String) async throws -> Int {
        Int(try await count(rule, subject).count)
    }

    /// Counts one attempt and says whether it may go: nil when it may, otherwise the seconds
    /// to wait (the refused attempt counts too; the window does not move).
    func take(_ rule: RateLimit, _ subject: String) async throws -> Int? {
        let (count, start, now) = try await count(rule, subject)
        return Self.wait(count: count, start: start, now: now, rule: rule, over: count > Int64(rule.limit))
    }

    /// `take`, throwing `PlatformError.rateLimited` when over.
    func enforce(_ rule: RateLimit, _ subject: String) async throws {
        if let seconds = try await take(rule, subject) { throw PlatformError.rateLimited(retryAfterSeconds: seconds) }
    }

    /// Takes back one attempt counted by `take`: for limits that count only failures, each try
    /// is counted *before* it runs (so a hundred tries at once cannot all pass a check made
    /// before any of them failed), and a try that succeeds is given back.
    func giveBack(_ rule: RateLimit, _ subject: String) async throws {
        try await sql.update(Self.table)
            .set("count", to: SQLRaw("count - 1"))
            .where("bucket", .equal, SQLBind(rule.name))
            .where("key_hash", .equal, SQLBind(try await hash(rule, subject)))
            .where("count", .greaterThan, SQLBind(0))
            .run()
    }

    /// Counts a try of every `(rule, subject)` before it runs; throws `rateLimited` when one is
    /// over. `succeeded` afterwards gives them back (limits that count failures only).
    func attempt(_ limits: [(RateLimit, String)]) async throws -> Attempt {
        var waits: [Int] = []
        for (rule, subject) in limits {
            if let wait = try await take(rule, subject) { waits.append(wait) }
        }
        if let longest = waits.max() { throw PlatformError.rateLimited(retryAfterSeconds: longest) }
        return Attempt(limiter: self, limits: limits)
    }

    /// A try counted in advance; `succeeded()` takes it back.
    struct Attempt: Sendable {
        let limiter: RateLimiter
        let limits: [(RateLimit, String)]

        func succeeded() async throws {
            for (rule, subject) in limits { try await limiter.giveBack(rule, subject) }
        }
    }

    /// `retryAfter`, throwing `PlatformError.rateLimited` when over.
    func check(_ rule: RateLimit, _ subject: String) async throws {
        if let seconds = try await retryAfter(rule, subject) { throw PlatformError.rateLimited(retryAfterSeconds: seconds) }
    }

    static let table = "rate_limits"

    private var sql: any SQLDatabase { database.sql }

    private static func wait(count: Int64, start: Int64, now: Int64, rule: RateLimit, over: Bool) -> Int? {
        let end = start + Int64(rule.window.rounded(.up))
        guard over, end > now else { return nil }
        return Int(max(1, end - now))
    }

    private func count(_ rule: RateLimit, _ subject: String) async throws -> (count: Int64, start: Int64, now: Int64) {
        let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        let cutoff = now - Int64(rule.window.rounded(.up))
        let hash = try await hash(rule, subject)
        // Both dialects evaluate every SET expression against the row as it was.
        let row = try await sql.raw("""
            INSERT INTO \(ident: Self.table) (id, bucket, key_hash, window_start, count) \
            VALUES (\(bind: UUID()), \(bind: rule.name), \(bind: hash), \(bind: now), 1) \
            ON CONFLICT (bucket, key_hash) DO UPDATE SET \
            count = CASE WHEN \(ident: Self.table).window_start <= \(bind: cutoff) THEN 1 ELSE \(ident: Self.table).count + 1 END, \
            window_start = CASE WHEN \(ident: Self.table).window_start <= \(bind: cutoff) THEN \(bind: now) ELSE \(ident: Self.table).window_start END \
            RETURNING count, window_start
            """).first()
        guard let row else { throw PlatformError.databaseUnavailable }
        return (try row.decode(column: "count", as: Int64.self), try row.decode(column: "window_start", as: Int64.self), now)
    }

    private func hash(_ rule: RateLimit, _ subject: String) async throws -> String {
        let secret = try await key.value(database)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(rule.name)\u{1F}\(subject)".utf8), using: secret)
        return Hex.string(mac.prefix(20))
    }
}

/// The HMAC key of the counters.
typealias RateLimitKey = PlatformKey

extension Application {
    private struct RateLimitKeyKey: StorageKey { typealias Value = RateLimitKey }

    /// The limits over this application's database.
    var rateLimits: RateLimiter {
        RateLimiter(database: db, clock: clock, key: rateLimitKey)
    }

    var rateLimitKey: RateLimitKey {
        if let key = storage[RateLimitKeyKey.self] { return key }
        let key = RateLimitKey(name: "rate_limits")
        storage[RateLimitKeyKey.self] = key
        return key
    }
}

extension Request {
    /// The limits over this request's database.
    var rateLimits: RateLimiter {
        RateLimiter(database: db, clock: application.clock, key: application.rateLimitKey)
    }
}

struct CreateRateLimits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RateLimiter.table)
            .id()
            .field("bucket", .string, .required)
            .field("key_hash", .string, .required)
            .field("window_start", .int64, .required)
            .field("count", .int64, .required)
            .unique(on: "bucket", "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RateLimiter.table).delete()
    }
}

/// Deletes counters whose window ended more than a day ago (no limit here is longer than a
/// day) and the health rows of nodes gone for a week. (Text messages go with the retention
/// job: `ChannelHolderRecords.purge`.)
enum PrunePlatformJob {
    static let kind = "platform.prune"

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let now = context.clock.now()
        let sql = context.database.sql
        try await sql.delete(from: RateLimiter.table)
            .where("window_start", .lessThan, SQLBind(Int64(now.timeIntervalSince1970) - 2 * 86_400)).run()
        try await sql.delete(from: HealthCheck.schema)
            .where("checked_at", .lessThan, SQLBind(now.addingTimeInterval(-7 * 86_400))).run()
    }
}
