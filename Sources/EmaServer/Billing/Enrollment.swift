import Fluent
import Foundation
import SQLKit

/// A contract enrolled to a mobile number to receive its bill by WhatsApp.
final class Enrollment: Model, @unchecked Sendable {
    static let schema = "enrollments"

    enum Status: String, Codable { case active, removed, deactivated }

    @ID(key: .id) var id: UUID?
    /// E.164.
    @Field(key: "phone") var phone: String
    @Parent(key: "contract_id") var contract: Contract
    /// The person who enrolled it.
    @Field(key: "holder_name") var holderName: String
    @Field(key: "channel") var channel: String
    @Field(key: "status") var status: String
    @Field(key: "consecutive_failed_periods") var consecutiveFailedPeriods: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "end_reason") var endReason: String?

    init() {}
}

/// One row per number that ever enrolled: the holder's name, and the row that serialises
/// enrollments of the same number (see `EnrollmentService.enroll`).
final class WhatsAppHolder: Model, @unchecked Sendable {
    static let schema = "whatsapp_holders"

    @ID(custom: "phone", generatedBy: .user) var id: String?
    @Field(key: "holder_name") var holderName: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateEnrollments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WhatsAppHolder.schema)
            .field("phone", .string, .identifier(auto: false))
            .field("holder_name", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(Enrollment.schema)
            .id()
            .field("phone", .string, .required)
            .field("contract_id", .uuid, .required, .references(Contract.schema, "id", onDelete: .restrict))
            .field("holder_name", .string, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("consecutive_failed_periods", .int, .required, .sql(.default(0)))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("end_reason", .string)
            .create()
        let sql = database.sql
        // A contract is active at most once per number; both databases support partial indexes.
        try await sql.raw("CREATE UNIQUE INDEX enrollments_active_phone_contract ON enrollments (phone, contract_id) WHERE status = 'active'").run()
        try await sql.create(index: "enrollments_contract").on(Enrollment.schema).column("contract_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Enrollment.schema).delete()
        try await database.schema(WhatsAppHolder.schema).delete()
    }
}
