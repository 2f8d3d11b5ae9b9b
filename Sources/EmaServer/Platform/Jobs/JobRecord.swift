import Fluent
import SQLKit
import Foundation

/// The state of a background job.
public enum JobState: String, CaseIterable, Codable, Sendable {
    /// Waiting for `run_at`.
    case queued
    /// Claimed by a worker until `locked_until`; taken again by another worker after that.
    case running
    case succeeded
    /// Gave up after `max_attempts`; `last_error` says why.
    case failed
}

/// A row of the jobs table.
final class JobRecord: Model, @unchecked Sendable {
    static let schema = "jobs"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Enum(key: "state") var state: JobState
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @Field(key: "run_at") var runAt: Date
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}
}

struct CreateJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // The state is plain text (not a PostgreSQL enum) so both databases share the same SQL.
        try await database.schema(JobRecord.schema)
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("locked_until", .datetime)
            .field("locked_by", .string)
            .field("last_error", .string)
            .field("idempotency_key", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "idempotency_key")
            .create()
        try await database.sql
            .create(index: "jobs_state_run_at")
            .on(JobRecord.schema)
            .column("state")
            .column("run_at")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(JobRecord.schema).delete()
    }
}
