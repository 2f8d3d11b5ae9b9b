import EmaCore
import Fluent
import Foundation
import SQLKit

/// The promotions a number received (its answers to the question are in the consent ledger,
/// with the assistant's records). Suppression deletes them, and the messages not yet sent.
struct OutreachHolderRecords: HolderRecords {
    let title = "Promociones y novedades"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        let rows = try await database.sql.raw("""
            SELECT c.created_at, m.status FROM \(ident: PromotionCampaigns.messages) AS m
            JOIN \(ident: PromotionCampaigns.schema) AS c ON c.id = m.campaign_id
            WHERE m.phone = \(bind: holder.phone) ORDER BY c.created_at
            """).all()
        guard !rows.isEmpty else { return [] }
        return [.init(label: "Campañas de promociones", details: try rows.map {
            let status = PromotionCampaigns.Status(rawValue: try $0.decode(column: "status", as: String.self))?.title.lowercased() ?? ""
            return "Campaña del \(try $0.decode(column: "created_at", as: Date.self).bogotaStamp): \(status)"
        })]
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await database.sql.delete(from: PromotionCampaigns.messages).where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}
