import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A report to Contacto Transparente. Anonymous by design: no address, user agent, session or
/// time of day is stored, only the day it arrived; the content, the evidence and the answer are
/// sealed with AES-GCM under a key of the platform (`platform_secrets`), so a copy of the
/// database alone does not reveal them.
final class TransparencyReport: Model, @unchecked Sendable {
    static let schema = "transparency_reports"

    @ID(key: .id) var id: UUID?
    /// `CT-` and 8 random characters: not sequential, so it says nothing of other reports.
    @Field(key: "code") var code: String
    /// SHA-256 of code and secret key.
    @Field(key: "key_hash") var keyHash: String
    @Field(key: "sealed") var sealed: Data
    @Field(key: "status") var status: TransparencyStatus
    @Field(key: "received_on") var receivedOn: String
    @OptionalField(key: "sealed_answer") var sealedAnswer: Data?
    @OptionalField(key: "answered_on") var answeredOn: String?

    init() {}
}

final class TransparencyEvidence: Model, @unchecked Sendable {
    static let schema = "transparency_evidence"

    @ID(key: .id) var id: UUID?
    @Field(key: "report_id") var reportID: UUID
    /// Name, type and bytes, sealed together.
    @Field(key: "sealed") var sealed: Data

    init() {}
}

struct CreateTransparencyReports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TransparencyReport.schema)
            .id()
            .field("code", .string, .required)
            .field("key_hash", .string, .required)
            .field("sealed", .data, .required)
            .field("status", .string, .required)
            .field("received_on", .string, .required)
            .field("sealed_answer", .data)
            .field("answered_on", .string)
            .unique(on: "code")
            .create()
        try await database.schema(TransparencyEvidence.schema)
            .id()
            .field("report_id", .uuid, .required, .references(TransparencyReport.schema, "id", onDelete: .cascade))
            .field("sealed", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TransparencyEvidence.schema).delete()
        try await database.schema(TransparencyReport.schema).delete()
    }
}

/// What a reporter tells (all of it sealed at rest).
struct TransparencyContent: Codable, Sendable, Equatable {
    var what: String
    var place: String
    var when: String
    var who: String
    /// Only when the reporter chose to identify themselves.
    var name: String?
    var contact: String?
}

struct TransparencyFile: Codable, Sendable {
    let filename: String
    let contentType: String
    let data: Data
}
