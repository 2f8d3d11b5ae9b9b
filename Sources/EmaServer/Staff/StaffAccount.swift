import Fluent
import Foundation
import SQLKit
import Vapor

/// A member of the utility's staff who signs in to the back office.
final class StaffAccount: Model, @unchecked Sendable {
    static let schema = "staff_accounts"

    /// What each role may do: agents answer cases and chats; supervisors also run the monthly
    /// dispatch and see every queue; administrators also manage accounts. `transparencia` sees
    /// only Contacto Transparente, which no other role sees.
    enum Role: String, CaseIterable, Codable, Sendable {
        case agente, supervisor, administrador, transparencia

        /// The roles of customer care (PQR, damages, dispatch).
        static let care: [Role] = [.agente, .supervisor, .administrador]

        var title: String {
            switch self {
            case .agente: "Agente"
            case .supervisor: "Supervisor"
            case .administrador: "Administrador"
            case .transparencia: "Contacto Transparente"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    /// Lowercased; unique.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_sign_in_at") var lastSignInAt: Date?

    init() {}

    var roleValue: Role { Role(rawValue: role) ?? .agente }
}

/// A signed-in browser: the token is kept only as its SHA-256; idle and absolute expiry are
/// checked on every request; signing out deletes the row.
final class StaffSession: Model, @unchecked Sendable {
    static let schema = "staff_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "staff_id") var staff: StaffAccount
    /// Sent in every form of the session and compared on every POST.
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}
}

/// Who did what in the back office, and when. Never a password.
final class StaffAuditEntry: Model, @unchecked Sendable {
    static let schema = "staff_audit"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @Field(key: "email") var email: String
    @Field(key: "action") var action: String
    @Field(key: "subject") var subject: String
    @Field(key: "detail") var detail: String
    @Field(key: "at") var at: Date

    init() {}
}

struct CreateStaff: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffAccount.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("last_sign_in_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(StaffSession.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("staff_id", .uuid, .required, .references(StaffAccount.schema, "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema(StaffAuditEntry.schema)
            .id()
            .field("staff_id", .uuid)
            .field("email", .string, .required)
            .field("action", .string, .required)
            .field("subject", .string, .required)
            .field("detail", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.sql.create(index: "staff_audit_at").on(StaffAuditEntry.schema).column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAuditEntry.schema).delete()
        try await database.schema(StaffSession.schema).delete()
        try await database.schema(StaffAccount.schema).delete()
    }
}
