import EmaCore
import Fluent
import Foundation
import SQLKit

/// Outreach follows its promotions through WhatsApp's bulk lane: each message moves with its
/// status; just before a batch leaves, a message to a number that withdrew the authorization is
/// `skipped` for good, and one caught outside 7:00–20:00 goes back to `waiting`.
struct PromotionTracking: TrackedBulkObserver {
    var tracking: BulkTracking { BulkTracking(table: PromotionCampaigns.messages, callbackPrefix: PromotionCampaigns.callbackPrefix) }

    func decide(_ messages: [UUID], at now: Date, on database: any Database) async throws -> BulkTracking.Withdrawal {
        guard !messages.isEmpty else { return .init() }
        let rows = try await database.sql.raw("""
            SELECT id, outbox_id, phone FROM \(ident: PromotionCampaigns.messages) WHERE outbox_id IN (\(binds: messages))
            """).all()
        guard !rows.isEmpty else { return .init() }
        let granted = try await ConsentLedger(database: database).promotionsGranted(among: rows.map { try $0.decode(column: "phone", as: String.self) })
        let open = PromotionService.window.isOpen(at: now)
        var withdrawal = BulkTracking.Withdrawal()
        for row in rows {
            let message = (id: try row.decode(column: "id", as: UUID.self), outbox: try row.decode(column: "outbox_id", as: UUID.self))
            if !granted.contains(try row.decode(column: "phone", as: String.self)) { withdrawal.skipped.append(message) } else if !open { withdrawal.later.append(message) }
        }
        return withdrawal
    }
}
