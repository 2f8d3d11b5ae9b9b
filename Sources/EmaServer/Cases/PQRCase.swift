import EmaCore
import Fluent
import Foundation
import SQLKit

/// One petition, complaint, claim, appeal or suggestion (a PQR), from filing to answer.
/// Dates that the law counts in business days are stored as civil dates (`YYYY-MM-DD`, Bogotá).
final class PQRCase: Model, @unchecked Sendable {
    static let schema = "cases"

    @ID(key: .id) var id: UUID?
    @Field(key: "radicado") var radicado: String
    @Field(key: "year") var year: Int
    @Field(key: "sequence") var sequence: Int
    /// SHA-256 of radicado and access code; the code itself is only shown once, at filing.
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "type") var type: String
    @Field(key: "causal") var causal: String
    @OptionalField(key: "service") var service: String?
    @OptionalField(key: "municipality") var municipality: String?
    @OptionalField(key: "segment") var segment: String?
    @OptionalField(key: "contract_number") var contractNumber: String?
    @OptionalField(key: "invoice_number") var invoiceNumber: String?
    @Field(key: "channel") var channel: String
    @Field(key: "anonymous") var anonymous: Bool
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "id_number") var idNumber: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "email") var email: String?
    @Field(key: "description") var description: String
    @Field(key: "priority") var priority: Bool
    @Field(key: "service_related") var serviceRelated: Bool
    @Field(key: "status") var status: String
    @Field(key: "filed_at") var filedAt: Date
    @Field(key: "filed_on") var filedOn: String
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "extended_due_on") var extendedDueOn: String?
    @OptionalField(key: "assigned_to") var assignedTo: UUID?
    @OptionalField(key: "assigned_name") var assignedName: String?
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answered_on") var answeredOn: String?
    @OptionalField(key: "answered_by") var answeredBy: String?
    @OptionalField(key: "business_days_to_answer") var businessDaysToAnswer: Int?
    @OptionalField(key: "answered_on_time") var answeredOnTime: Bool?
    @OptionalField(key: "notified_at") var notifiedAt: Date?
    @OptionalField(key: "notified_on") var notifiedOn: String?
    @OptionalField(key: "notification_kind") var notificationKind: String?
    @OptionalField(key: "appeal_until") var appealUntil: String?
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "positive_silence") var positiveSilence: Bool
    @OptionalField(key: "alerted_on") var alertedOn: String?
    /// The form's or client's key for this submission: a double submit finds the first case.
    @OptionalField(key: "submission_key") var submissionKey: String?
    @OptionalField(key: "satisfaction") var satisfaction: Int?
    @OptionalField(key: "satisfaction_comment") var satisfactionComment: String?
    @OptionalField(key: "satisfaction_at") var satisfactionAt: Date?
    /// A billing request's kind (`ServiceRequest.Kind`), what it asks in a line, and the
    /// contribution's amount: what the agent tells the billing system once it is granted.
    @OptionalField(key: "request_kind") var requestKind: String?
    @OptionalField(key: "request_detail") var requestDetail: String?
    @OptionalField(key: "request_amount_cop") var requestAmountCOP: Int64?
    /// A suggestion's area (`SuggestionArea.id`), whether it led to a change, and what changed.
    @OptionalField(key: "area") var area: String?
    @OptionalField(key: "led_to_change") var ledToChange: Bool?
    @OptionalField(key: "change_note") var changeNote: String?

    init() {}

    var typeValue: CaseType { CaseType(rawValue: type) ?? .peticion }
    var statusValue: CaseStatus { CaseStatus(rawValue: status) ?? .radicado }
    var channelValue: CaseChannel { CaseChannel(rawValue: channel) ?? .web }
    var decisionValue: CaseDecision? { decision.flatMap(CaseDecision.init(rawValue:)) }
    /// The deadline that applies now: the extended one once notice was given.
    var effectiveDue: String { extendedDueOn ?? dueOn }
    var term: LegalTerm { LegalTerm.of(typeValue, serviceRelated: serviceRelated) }
    var requestValue: ServiceRequest.Kind? { requestKind.flatMap(ServiceRequest.Kind.init(rawValue:)) }
    /// «Petición», or «Petición · Separación de cuentas» for a billing request.
    var typeTitle: String { typeValue.title + (requestValue.map { " · \($0.title)" } ?? "") }
}

/// Billing requests filed as peticiones (separación de cuentas, aportes voluntarios).
struct AddRequestToCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await database.schema(PQRCase.schema).field("request_kind", .string).update()
        try await database.schema(PQRCase.schema).field("request_detail", .string).update()
        try await database.schema(PQRCase.schema).field("request_amount_cop", .int64).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["request_amount_cop", "request_detail", "request_kind"] {
            try await database.schema(PQRCase.schema).deleteField(.string(field)).update()
        }
    }
}

/// Suggestions routed to the utility's areas (issue 23).
struct AddSuggestionAreaToCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PQRCase.schema).field("area", .string).update()
        try await database.schema(PQRCase.schema).field("led_to_change", .bool).update()
        try await database.schema(PQRCase.schema).field("change_note", .string).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["change_note", "led_to_change", "area"] {
            try await database.schema(PQRCase.schema).deleteField(.string(field)).update()
        }
    }
}

/// What happened to a case: filing, assignment, notes, extension, answer, notification,
/// survey, alerts. `public` events show on the customer's status page; notes never do.
final class CaseEvent: Model, @unchecked Sendable {
    static let schema = "case_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "actor") var actor: String
    @Field(key: "kind") var kind: String
    @Field(key: "detail") var detail: String
    @Field(key: "public") var isPublic: Bool

    init() {}

    init(caseID: UUID, at: Date, actor: String, kind: String, detail: String, isPublic: Bool) {
        self.caseID = caseID
        self.at = at
        self.actor = actor
        self.kind = kind
        self.detail = detail
        self.isPublic = isPublic
    }
}

/// A file the customer or an agent attached to a case, kept in the database with its digest.
final class CaseAttachment: Model, @unchecked Sendable {
    static let schema = "case_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PQRCase.schema)
            .id()
            .field("radicado", .string, .required)
            .field("year", .int, .required)
            .field("sequence", .int, .required)
            .field("code_hash", .string, .required)
            .field("type", .string, .required)
            .field("causal", .string, .required)
            .field("service", .string)
            .field("municipality", .string)
            .field("segment", .string)
            .field("contract_number", .string)
            .field("invoice_number", .string)
            .field("channel", .string, .required)
            .field("anonymous", .bool, .required)
            .field("name", .string)
            .field("id_number", .string)
            .field("phone", .string)
            .field("email", .string)
            .field("description", .string, .required)
            .field("priority", .bool, .required)
            .field("service_related", .bool, .required)
            .field("status", .string, .required)
            .field("filed_at", .datetime, .required)
            .field("filed_on", .string, .required)
            .field("due_on", .string, .required)
            .field("extended_due_on", .string)
            .field("assigned_to", .uuid)
            .field("assigned_name", .string)
            .field("decision", .string)
            .field("answer", .string)
            .field("answered_at", .datetime)
            .field("answered_on", .string)
            .field("answered_by", .string)
            .field("business_days_to_answer", .int)
            .field("answered_on_time", .bool)
            .field("notified_at", .datetime)
            .field("notified_on", .string)
            .field("notification_kind", .string)
            .field("appeal_until", .string)
            .field("parent_id", .uuid)
            .field("positive_silence", .bool, .required)
            .field("alerted_on", .string)
            .field("submission_key", .string)
            .field("satisfaction", .int)
            .field("satisfaction_comment", .string)
            .field("satisfaction_at", .datetime)
            .unique(on: "radicado")
            .unique(on: "year", "sequence")
            .unique(on: "submission_key")
            .create()
        try await database.schema(CaseEvent.schema)
            .id()
            .field("case_id", .uuid, .required, .references(PQRCase.schema, "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("kind", .string, .required)
            .field("detail", .string, .required)
            .field("public", .bool, .required)
            .create()
        try await database.schema(CaseAttachment.schema)
            .id()
            .field("case_id", .uuid, .required, .references(PQRCase.schema, "id", onDelete: .cascade))
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE TABLE case_sequences (year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL)").run()
        try await sql.raw("CREATE INDEX cases_open_due ON cases (due_on) WHERE status IN ('radicado', 'en_tramite')").run()
        try await sql.raw("CREATE INDEX cases_assigned_due ON cases (assigned_to, due_on)").run()
        // A month's statistics read a range of these (`YYYY-MM-DD` sorts as dates do).
        try await sql.raw("CREATE INDEX cases_filed_on ON cases (filed_on)").run()
        try await sql.raw("CREATE INDEX cases_answered_on ON cases (answered_on)").run()
        try await sql.raw("CREATE INDEX case_events_case ON case_events (case_id, at)").run()
        try await sql.raw("CREATE INDEX case_attachments_case ON case_attachments (case_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE case_sequences").run()
        try await database.schema(CaseAttachment.schema).delete()
        try await database.schema(CaseEvent.schema).delete()
        try await database.schema(PQRCase.schema).delete()
    }
}
