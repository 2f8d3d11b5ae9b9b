import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// One answer to a satisfaction survey, whatever asked it: after a live chat (`chat`), an
/// answered queja (`queja`), an office attention (`oficina`), or a campaign (`campana`).
/// `score` is the overall 1–5; a campaign's other questions are in `answers` (JSON object of
/// question id → 1–5). Office, municipality and segment are copied at answer time, so the
/// indicators group without reaching into other capabilities' tables.
final class SurveyResponse: Model, @unchecked Sendable {
    static let schema = "survey_responses"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    /// The chat id, the radicado, the turn code, or the invitation id of a campaign.
    @Field(key: "subject") var subject: String
    /// Where the answer came from: web, kiosk, whatsapp, sms (a link sent by SMS).
    @Field(key: "channel") var channel: String
    @Field(key: "score") var score: Int
    @OptionalField(key: "answers") var answers: String?
    @OptionalField(key: "comment") var comment: String?
    @Field(key: "answered_at") var answeredAt: Date
    /// The Bogotá day (`2026-12-02`).
    @Field(key: "answered_on") var answeredOn: String
    @OptionalField(key: "office") var office: String?
    @OptionalField(key: "municipality") var municipality: String?
    @OptionalField(key: "segment") var segment: String?
    @OptionalField(key: "campaign_id") var campaignID: UUID?

    init() {}
}

/// A survey sent as a link (`/encuesta/{token}`): the token is kept only as its SHA-256.
final class SurveyInvitation: Model, @unchecked Sendable {
    static let schema = "survey_invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "kind") var kind: String
    @Field(key: "subject") var subject: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "office") var office: String?
    @OptionalField(key: "municipality") var municipality: String?
    @OptionalField(key: "campaign_id") var campaignID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?

    init() {}
}

/// A periodic survey (every four months) to the customers attended in offices and by phone in a
/// month, with several questions.
final class SurveyCampaign: Model, @unchecked Sendable {
    static let schema = "survey_campaigns"

    @ID(key: .id) var id: UUID?
    /// The month whose customers are asked (`2026-11`).
    @Field(key: "month") var month: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String
    @Field(key: "invited") var invited: Int

    init() {}
}

struct CreateSurveys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SurveyCampaign.schema)
            .id()
            .field("month", .string, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("invited", .int, .required)
            .unique(on: "month")
            .create()
        try await database.schema(SurveyResponse.schema)
            .id()
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("channel", .string, .required)
            .field("score", .int, .required)
            .field("answers", .string)
            .field("comment", .string)
            .field("answered_at", .datetime, .required)
            .field("answered_on", .string, .required)
            .field("office", .string)
            .field("municipality", .string)
            .field("segment", .string)
            .field("campaign_id", .uuid)
            .unique(on: "kind", "subject")
            .create()
        try await database.schema(SurveyInvitation.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("phone", .string)
            .field("office", .string)
            .field("municipality", .string)
            .field("campaign_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("answered_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.sql.raw("CREATE INDEX survey_responses_answered_on ON survey_responses (answered_on)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SurveyInvitation.schema).delete()
        try await database.schema(SurveyResponse.schema).delete()
        try await database.schema(SurveyCampaign.schema).delete()
    }
}
