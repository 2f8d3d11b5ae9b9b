import EmaCore
import Fluent
import Foundation
import SQLKit

/// A campaign of promotions and news (seed 000: only with the holder's express authorization).
/// Its text goes in the approved marketing template `novedades`; its audience is the numbers
/// whose latest answer to the promotions question is yes when it is planned, checked again just
/// before each message leaves.
enum PromotionCampaigns {
    static let schema = "promotion_campaigns"
    static let messages = PromotionMessages.schema
    static let template = "novedades"
    /// The callback data of a campaign's message: `promocion:<message row id>`.
    static let callbackPrefix = "promocion:"
    static let textLength = 20...600

    /// A message's status: `waiting` for the hours, `queued` in the lane, then as WhatsApp tells;
    /// `skipped` when the holder withdrew the authorization before it left.
    enum Status: String, CaseIterable {
        case waiting, queued, sent, delivered, read, failed, skipped

        var title: String {
            switch self {
            case .waiting: "Esperando el horario de envío"
            case .queued: "En cola"
            case .sent: "Enviados"
            case .delivered: "Entregados"
            case .read: "Leídos"
            case .failed: "Fallidos"
            case .skipped: "No enviados (retiraron la autorización)"
            }
        }
    }
}

/// One message of a campaign per number (`(campaign, phone)` unique: never twice).
enum PromotionMessages {
    static let schema = "promotion_messages"
}

struct CreatePromotionCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PromotionCampaigns.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("text", .string, .required)
            .field("created_by", .string, .required)
            .field("audience", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(PromotionCampaigns.messages)
            .field("id", .uuid, .identifier(auto: false))
            .field("campaign_id", .uuid, .required, .references(PromotionCampaigns.schema, "id", onDelete: .cascade))
            .field("phone", .string, .required)
            .field("status", .string, .required)
            .field("outbox_id", .uuid)
            .field("updated_at", .datetime, .required)
            .unique(on: "campaign_id", "phone")
            .create()
        let sql = database.sql
        try await sql.create(index: "promotion_messages_status").on(PromotionCampaigns.messages).column("status").run()
        try await sql.create(index: "promotion_messages_outbox").on(PromotionCampaigns.messages).column("outbox_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PromotionCampaigns.messages).delete()
        try await database.schema(PromotionCampaigns.schema).delete()
    }
}
