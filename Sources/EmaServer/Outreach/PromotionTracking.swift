import EmaCore
import Fluent
import Foundation
import SQLKit

/// Outreach follows its promotions through WhatsApp's bulk lane: each message moves with its
/// status; just before a batch leaves, a message to a number that withdrew the authorization is
/// `skipped` for good, and one caught outside 7:00–20:00 goes back to `waiting`.
struct PromotionTracking: WhatsAppBulkObserver {
    var tracking: BulkTracking { BulkTracking(table: PromotionCampaigns.messages, callbackPrefix: PromotionCampaigns.callbackPrefix) }

    func sent(_ messages: [UUID], at now: Date, on database: any Database) async throws {
        try await tracking.sent(messages, at: now, on: database)
    }

    func reached(
        _ status: DeliveryStatus, code: Int?, cause: DeliveryFailureCause?, callback: String?, message: UUID?,
        at now: Date, on database: any Database
    ) async throws -> [UUID] {
        try await tracking.reached(status, callback: callback, message: message, at: now, on: database)
    }

    func current(_ messages: [UUID], on database: any Database) async throws -> [UUID: WhatsAppTemplate] { [:] }

    func withdrawable(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> {
        let (skipped, later) = try await decide(messages, at: now, on: database)
        return Set((skipped + later).map(\.outbox))
    }

    func withdraw(_ messages: [UUID], at now: Date, on database: any Database) async throws -> Set<UUID> {
        let (skipped, later) = try await decide(messages, at: now, on: database)
        for (rows, status) in [(skipped, PromotionCampaigns.Status.skipped), (later, .waiting)] where !rows.isEmpty {
            try await database.sql.update(PromotionCampaigns.messages).set("status", to: SQLBind(status.rawValue))
                .set("outbox_id", to: SQLLiteral.null).set("updated_at", to: SQLBind(now)).where("id", .in, SQLBind.group(rows.map(\.id))).run()
        }
        return Set((skipped + later).map(\.outbox))
    }

    /// Among `messages`, the promotions that must not leave now.
    func decide(_ messages: [UUID], at now: Date, on database: any Database) async throws
        -> (skipped: [(id: UUID, outbox: UUID)], later: [(id: UUID, outbox: UUID)]) {
        guard !messages.isEmpty else { return ([], []) }
        let rows = try await database.sql.raw("""
            SELECT id, outbox_id, phone FROM \(ident: PromotionCampaigns.messages) WHERE outbox_id IN (\(binds: messages))
            """).all()
        guard !rows.isEmpty else { return ([], []) }
        let granted = try await ConsentLedger(database: database).promotionsGranted(among: rows.map { try $0.decode(column: "phone", as: String.self) })
        let open = PromotionService.window.isOpen(at: now)
        var skipped: [(id: UUID, outbox: UUID)] = []
        var later: [(id: UUID, outbox: UUID)] = []
        for row in rows {
            let message = (id: try row.decode(column: "id", as: UUID.self), outbox: try row.decode(column: "outbox_id", as: UUID.self))
            if !granted.contains(try row.decode(column: "phone", as: String.self)) { skipped.append(message) } else if !open { later.append(message) }
        }
        return (skipped, later)
    }
}
