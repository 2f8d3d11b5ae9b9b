import EmaCore
import Fluent
import Foundation
import SQLKit

/// A job handed to a worker: what to run, and the claim that proves this worker holds it.
public struct ClaimedJob: Sendable, Equatable {
    public let id: UUID
    public let kind: String
    public let payload: String
    /// This attempt's number, 1 for the first run.
    public let attempt: Int
    public let maxAttempts: Int
    public let worker: String
}

/// The jobs table as a queue. Claims are single statements, so two workers can never hold the
/// same job: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets many workers claim side by side; on
/// SQLite the write lock serialises claims. Every change after the claim is conditioned on
/// `locked_by`, so a worker whose lease ran out cannot overwrite the result of the worker that
/// took the job over.
public struct JobQueue: Sendable {
    let database: any Database
    let clock: AppClock

    public init(database: any Database, clock: AppClock) {
        self.database = database
        self.clock = clock
    }

    private var sql: any SQLDatabase { database.sql }

    /// Adds a job. With an idempotency key, a second enqueue of the same key adds nothing and
    /// returns nil (the job already exists, whatever its state).
    @discardableResult
    public func enqueue(
        kind: String, payload: some Encodable, runAt: Date? = nil, maxAttempts: Int = 8, idempotencyKey: String? = nil
    ) async throws -> UUID? {
        let json = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        return try await insert(kind: kind, jobs: [(json, idempotencyKey)], runAt: runAt, maxAttempts: maxAttempts).first
    }

    /// Adds many jobs in one statement (each key at most once); returns how many were new.
    @discardableResult
    public func enqueueMany(kind: String, payloads: [(payload: String, idempotencyKey: String)], maxAttempts: Int = 8) async throws -> Int {
        try await insert(kind: kind, jobs: payloads.map { ($0.payload, $0.idempotencyKey) }, runAt: nil, maxAttempts: maxAttempts).count
    }

    /// One multi-row insert; a job whose idempotency key exists already is skipped. Returns the
    /// ids of the jobs added.
    private func insert(kind: String, jobs: [(payload: String, key: String?)], runAt: Date?, maxAttempts: Int) async throws -> [UUID] {
        guard !jobs.isEmpty else { return [] }
        let now = clock.now()
        let insert = sql.insert(into: JobRecord.schema)
            .columns("id", "kind", "payload", "state", "attempts", "max_attempts", "run_at", "idempotency_key", "created_at", "updated_at")
        for job in jobs {
            insert.values(
                SQLBind(UUID()), SQLBind(kind), SQLBind(job.payload), SQLBind(JobState.queued.rawValue), SQLBind(0), SQLBind(maxAttempts),
                SQLBind(runAt ?? now), SQLBind(job.key), SQLBind(now), SQLBind(now)
            )
        }
        return try await insert.ignoringConflicts(with: ["idempotency_key"]).returning("id").all()
            .map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Claims up to `limit` jobs that are due, or whose previous worker's lease ran out.
    public func claim(worker: String, limit: Int, lease: TimeInterval) async throws -> [ClaimedJob] {
        let now = clock.now()
        // SQLite has no row locks: its single writer already makes this statement exclusive.
        let lockClause = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = \(bind: now.addingTimeInterval(lease)),
                locked_by = \(bind: worker), updated_at = \(bind: now)
            WHERE id IN (
                SELECT id FROM jobs
                WHERE (state = 'queued' AND run_at <= \(bind: now)) OR (state = 'running' AND locked_until < \(bind: now))
                ORDER BY run_at, id
                LIMIT \(bind: limit)
                \(unsafeRaw: lockClause)
            )
            RETURNING id, kind, payload, attempts, max_attempts
            """).all()
        return try rows.map { row in
            ClaimedJob(
                id: try row.decode(column: "id", as: UUID.self),
                kind: try row.decode(column: "kind", as: String.self),
                payload: try row.decode(column: "payload", as: String.self),
                attempt: try row.decode(column: "attempts", as: Int.self),
                maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                worker: worker
            )
        }.sorted { $0.attempt < $1.attempt }
    }

    /// Marks a job done. False when this worker no longer held it.
    @discardableResult
    public func complete(_ job: ClaimedJob) async throws -> Bool {
        let now = clock.now()
        return try await update(job, """
            state = 'succeeded', locked_until = NULL, last_error = NULL, finished_at = \(bind: now), updated_at = \(bind: now)
            """)
    }

    /// Records a failed attempt: back to the queue after a backoff, or `failed` for good when the
    /// attempts are spent. Returns the state the job is left in (nil if no longer held).
    @discardableResult
    public func fail(_ job: ClaimedJob, error: String, backoff: Backoff = Backoff(), random: Double = Double.random(in: 0..<1)) async throws -> JobState? {
        let now = clock.now()
        let message = String(error.prefix(2_000))
        if job.attempt >= job.maxAttempts {
            let held = try await update(job, """
                state = 'failed', locked_until = NULL, last_error = \(bind: message), finished_at = \(bind: now), updated_at = \(bind: now)
                """)
            return held ? .failed : nil
        }
        let retryAt = now.addingTimeInterval(backoff.delay(afterAttempt: job.attempt, random: random))
        let held = try await update(job, """
            state = 'queued', locked_until = NULL, locked_by = NULL, run_at = \(bind: retryAt), last_error = \(bind: message), updated_at = \(bind: now)
            """)
        return held ? .queued : nil
    }

    /// Gives a job back untouched (shutdown): the attempt does not count.
    @discardableResult
    public func release(_ job: ClaimedJob) async throws -> Bool {
        let now = clock.now()
        return try await update(job, """
            state = 'queued', attempts = attempts - 1, locked_until = NULL, locked_by = NULL, run_at = \(bind: now), updated_at = \(bind: now)
            """)
    }

    /// Extends the lease of jobs still running on this worker.
    public func extendLeases(_ ids: [UUID], worker: String, lease: TimeInterval) async throws {
        guard !ids.isEmpty else { return }
        let now = clock.now()
        try await sql.update(JobRecord.schema)
            .set("locked_until", to: SQLBind(now.addingTimeInterval(lease)))
            .set("updated_at", to: SQLBind(now))
            .where("id", .in, ids)
            .where("locked_by", .equal, worker)
            .where("state", .equal, JobState.running.rawValue)
            .run()
    }

    /// Jobs per state (every state present, zero when none).
    public func countsByState() async throws -> [JobState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        let rows = try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all()
        for row in rows {
            if let state = JobState(rawValue: try row.decode(column: "state", as: String.self)) {
                counts[state] = try row.decode(column: "n", as: Int.self)
            }
        }
        return counts
    }

    /// Deletes finished jobs older than the given ages; returns how many.
    public func prune(succeededBefore: Date, failedBefore: Date) async throws -> Int {
        let rows = try await sql.raw("""
            DELETE FROM jobs WHERE (state = 'succeeded' AND finished_at < \(bind: succeededBefore))
                OR (state = 'failed' AND finished_at < \(bind: failedBefore))
            RETURNING id
            """).all()
        return rows.count
    }

    /// Deletes the jobs whose payload names `text` (a forgotten phone number): those not
    /// running, or every one (`running: true`, the caller's own job included). Returns how many.
    public func forget(mentioning text: String, running: Bool = false) async throws -> Int {
        let delete = sql.delete(from: JobRecord.schema).where("payload", .like, SQLBind("%\(text)%"))
        if !running { delete.where("locked_until", .is, SQLLiteral.null) }
        return try await delete.returning("id").all().count
    }

    /// Whether a job of `kind` whose payload names `text` waits or runs.
    public func hasPending(kind: String, mentioning text: String) async throws -> Bool {
        try await sql.select().column("id").from(JobRecord.schema)
            .where("kind", .equal, SQLBind(kind))
            .where("state", .in, SQLBind.group([JobState.queued.rawValue, JobState.running.rawValue]))
            .where("payload", .like, SQLBind("%\(text)%"))
            .limit(1).first() != nil
    }

    private func update(_ job: ClaimedJob, _ assignments: SQLQueryString) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE jobs SET \(assignments)
            WHERE id = \(bind: job.id) AND locked_by = \(bind: job.worker) AND state = 'running'
            RETURNING id
            """).all()
        return !rows.isEmpty
    }
}
