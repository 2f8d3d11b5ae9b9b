import EmaCore
import Fluent
import Foundation
import SQLKit

/// The attachments of a PQR Web form that came back with an error, kept under the form's own
/// submission key (random, per page) so the customer does not have to attach them again: the
/// next submission of the same form files them unless it brings others. Checked as a filing's
/// attachments are; kept a day at most (`CasePendingFilesRetention`); at most
/// `keptPerClient` forms' files an hour per client address.
enum CasePendingFiles {
    static let schema = "case_pending_files"
    static let keptPerClient = RateLimit("pqr.adjuntos.direccion", limit: 20, window: 3_600)

    /// Keeps `files` under `key`, replacing what it held (files that fail the checks are left out).
    static func keep(_ files: [CaseDraft.File], key: String, now: Date, on database: any Database) async throws {
        let checked = files.prefix(CaseService.maxAttachments).compactMap { try? CaseService.checkedFile($0) }
        guard !checked.isEmpty else { return }
        try await database.writeTransaction { tx in
            try await tx.sql.delete(from: schema).where("submission_key", .equal, SQLBind(key)).run()
            let insert = tx.sql.insert(into: schema).columns("id", "submission_key", "position", "filename", "data", "created_at")
            for (position, file) in checked.enumerated() {
                insert.values(SQLBind(UUID()), SQLBind(key), SQLBind(position), SQLBind(file.filename), SQLBind(file.data), SQLBind(now))
            }
            try await insert.run()
        }
    }

    /// The files kept under `key`, in the order they were attached.
    static func files(key: String, on database: any Database) async throws -> [CaseDraft.File] {
        try await database.sql.select().columns("filename", "data").from(schema).where("submission_key", .equal, SQLBind(key))
            .orderBy("position").all()
            .map { CaseDraft.File(filename: try $0.decode(column: "filename", as: String.self), data: try $0.decode(column: "data", as: Data.self)) }
    }

    static func names(key: String, on database: any Database) async throws -> [String] {
        try await database.sql.select().column("filename").from(schema).where("submission_key", .equal, SQLBind(key))
            .orderBy("position").all().map { try $0.decode(column: "filename", as: String.self) }
    }

    static func forget(key: String, on database: any Database) async throws {
        try await database.sql.delete(from: schema).where("submission_key", .equal, SQLBind(key)).run()
    }

    /// After a form came back with `error`: keeps the files it brought (unless they are what was
    /// wrong, or this address kept too many lately) and returns the names now kept under its key.
    static func afterError(_ error: CaseError, files: [CaseDraft.File], key: String?, client: String, limits: RateLimiter,
                           now: Date, on database: any Database) async throws -> [String] {
        guard let key else { return [] }
        switch error {
        case .tooManyAttachments, .attachmentTooLarge, .attachmentType: return []
        default: break
        }
        if !files.isEmpty {
            guard try await limits.take(keptPerClient, client) == nil else { return [] }
            try await keep(files, key: key, now: now, on: database)
        }
        return try await names(key: key, on: database)
    }

    /// Files kept longer than a day: their form was abandoned.
    static func purge(before: Date, on database: any Database) async throws {
        try await database.sql.delete(from: schema).where("created_at", .lessThan, SQLBind(before)).run()
    }
}

struct CreateCasePendingFiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CasePendingFiles.schema)
            .id()
            .field("submission_key", .string, .required)
            .field("position", .int, .required)
            .field("filename", .string, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "case_pending_files_key").on(CasePendingFiles.schema).column("submission_key").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CasePendingFiles.schema).delete()
    }
}

/// Cases' part of the retention job: the attachments of abandoned forms go after a day.
struct CasePendingFilesRetention: ExpiringRecords {
    func purge(_ terms: RetentionTerms, on database: any Database) async throws -> RetentionJob.Removed {
        try await CasePendingFiles.purge(before: terms.now.addingTimeInterval(-86_400), on: database)
        return RetentionJob.Removed()
    }
}
