import Fluent
import SQLKit
import Foundation

/// One SMS verification code sent to a number. The code itself is never stored: only a salted
/// SHA-256 of it, compared in constant time.
final class VerificationCode: Model, @unchecked Sendable {
    static let schema = "verification_codes"

    @ID(key: .id) var id: UUID?
    /// E.164.
    @Field(key: "phone") var phone: String
    @Field(key: "code_hash") var codeHash: Data
    @Field(key: "salt") var salt: Data
    @Field(key: "issued_at") var issuedAt: Date
    @Field(key: "attempts") var attempts: Int
    @Field(key: "consumed") var consumed: Bool
    /// Who asked for it (a SHA-256 of the client's address, or of the WhatsApp sender): only they
    /// may use it, and nobody else's wrong tries count against it.
    @OptionalField(key: "requester") var requester: String?

    init() {}
}

struct CreateVerificationCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(VerificationCode.schema)
            .id()
            .field("phone", .string, .required)
            .field("code_hash", .data, .required)
            .field("salt", .data, .required)
            .field("issued_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("consumed", .bool, .required)
            .create()
        try await database.sql
            .create(index: "verification_codes_phone_issued")
            .on(VerificationCode.schema)
            .column("phone")
            .column("issued_at")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VerificationCode.schema).delete()
    }
}

/// Binds each code to whoever asked for it (issue 17: a stranger who knows the number could
/// otherwise spend its five tries, or replace it, and lock the owner out).
struct AddRequesterToVerificationCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(VerificationCode.schema).field("requester", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VerificationCode.schema).deleteField("requester").update()
    }
}
