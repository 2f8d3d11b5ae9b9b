import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Promotions campaigns: planned for the numbers that said yes to the promotions question (the
/// consent ledger's answer, never the bill's consent), sent through WhatsApp's bulk lane (its
/// ceiling, its exactly-once sending and recovery) between 7:00 and 20:00 in Bogotá; a number
/// that withdrew meanwhile is skipped — when the lane is fed and again just before it leaves.
struct PromotionService {
    let database: any Database
    let clock: AppClock
    let startSenders: @Sendable (Int) async throws -> Void
    let senders: Int

    static let window = WhatsAppBulkLane.customerHours
    static let pageSize = 2_000

    enum Problem: Error, Equatable {
        case textLength
        case noAudience
    }

    /// A new campaign with its audience planned (`waiting`) in one transaction — a crash leaves no
    /// half-planned campaign —; the lane is fed now inside the hours.
    func create(text: String, by staff: String) async throws -> (id: UUID, audience: Int) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard PromotionCampaigns.textLength.contains(text.count) else { throw Problem.textLength }
        let id = UUID()
        let now = clock.now()
        let audience = try await database.writeTransaction { tx -> Int in
            let ledger = ConsentLedger(database: tx)
            try await tx.sql.insert(into: PromotionCampaigns.schema).columns("id", "text", "created_by", "audience", "created_at")
                .values(SQLBind(id), SQLBind(text), SQLBind(staff), SQLBind(0), SQLBind(now)).run()
            var after = ""
            var audience = 0
            while true {
                let phones = try await ledger.promotionsAudience(after: after, limit: Self.pageSize)
                guard let last = phones.last else { break }
                after = last
                let insert = tx.sql.insert(into: PromotionCampaigns.messages).columns("id", "campaign_id", "phone", "status", "updated_at")
                for phone in phones {
                    insert.values(SQLBind(UUID()), SQLBind(id), SQLBind(phone), SQLBind(PromotionCampaigns.Status.waiting.rawValue), SQLBind(now))
                }
                try await insert.run()
                audience += phones.count
            }
            guard audience > 0 else { throw Problem.noAudience }
            try await tx.sql.update(PromotionCampaigns.schema).set("audience", to: SQLBind(audience)).where("id", .equal, SQLBind(id)).run()
            return audience
        }
        _ = try await run()
        return (id, audience)
    }

    /// Inside the hours, puts the waiting messages in the lane; returns how many.
    func run() async throws -> Int {
        guard Self.window.isOpen(at: clock.now()) else { return 0 }
        let queued = try await feed()
        if queued > 0 { try await startSenders(senders) }
        return queued
    }

    /// A page per transaction: each message claimed by the update that moves it (two nodes never
    /// queue one twice); one whose number withdrew meanwhile is `skipped`.
    func feed() async throws -> Int {
        var queued = 0
        while true {
            let done = try await database.writeTransaction { tx -> Int? in
                let sql = tx.sql
                let rows = try await sql.raw("""
                    SELECT m.id, m.phone, c.text FROM \(ident: PromotionCampaigns.messages) AS m
                    JOIN \(ident: PromotionCampaigns.schema) AS c ON c.id = m.campaign_id
                    WHERE m.status = \(bind: PromotionCampaigns.Status.waiting.rawValue) LIMIT \(literal: Self.pageSize)
                    """).all()
                guard !rows.isEmpty else { return nil }
                let now = clock.now()
                let granted = try await ConsentLedger(database: tx).promotionsGranted(among: rows.map { try $0.decode(column: "phone", as: String.self) })
                var queue: [(row: UUID, message: WhatsAppBulkLane.Message)] = []
                var skipped: [UUID] = []
                for row in rows {
                    let id = try row.decode(column: "id", as: UUID.self)
                    let phone = try row.decode(column: "phone", as: String.self)
                    guard granted.contains(phone) else { skipped.append(id); continue }
                    queue.append((id, .init(id: UUID(), recipient: phone, template: Self.message(id, text: try row.decode(column: "text", as: String.self)))))
                }
                if !skipped.isEmpty {
                    try await sql.update(PromotionCampaigns.messages).set("status", to: SQLBind(PromotionCampaigns.Status.skipped.rawValue))
                        .set("updated_at", to: SQLBind(now)).where("id", .in, SQLBind.group(skipped)).run()
                }
                guard !queue.isEmpty else { return 0 }
                let claimed = try await PromotionTracking().tracking.claim(queue.map { ($0.row, $0.message.id) }, at: now, on: tx)
                let messages = queue.filter { claimed.contains($0.row) }.map(\.message)
                try await WhatsAppBulkLane.queue(messages, at: now, on: tx)
                return messages.count
            }
            guard let done else { break }
            queued += done
        }
        return queued
    }

    /// `novedades`: the campaign's text, and the message row as callback data.
    static func message(_ row: UUID, text: String) -> WhatsAppTemplate {
        var template = WhatsAppTemplate(name: PromotionCampaigns.template, language: BillMessage.language)
        template.bodyParameters = [text]
        template.callbackData = PromotionCampaigns.callbackPrefix + row.uuidString
        return template
    }

    struct Summary {
        let id: UUID
        let text: String
        let createdBy: String
        let createdAt: Date
        let audience: Int
        let counts: [PromotionCampaigns.Status: Int]
    }

    /// The latest campaigns with their messages by status.
    func recent(limit: Int = 20) async throws -> [Summary] {
        let campaigns = try await database.sql.raw("""
            SELECT id, text, created_by, audience, created_at FROM \(ident: PromotionCampaigns.schema) ORDER BY created_at DESC LIMIT \(literal: limit)
            """).all()
        var summaries: [Summary] = []
        for row in campaigns {
            let id = try row.decode(column: "id", as: UUID.self)
            var counts: [PromotionCampaigns.Status: Int] = [:]
            for count in try await database.sql.raw("""
                SELECT status, COUNT(*) AS n FROM \(ident: PromotionCampaigns.messages) WHERE campaign_id = \(bind: id) GROUP BY status
                """).all() {
                if let status = PromotionCampaigns.Status(rawValue: try count.decode(column: "status", as: String.self)) {
                    counts[status] = try count.decode(column: "n", as: Int.self)
                }
            }
            summaries.append(Summary(id: id, text: try row.decode(column: "text", as: String.self), createdBy: try row.decode(column: "created_by", as: String.self),
                                     createdAt: try row.decode(column: "created_at", as: Date.self), audience: try row.decode(column: "audience", as: Int.self), counts: counts))
        }
        return summaries
    }
}

/// Every ten minutes: the campaigns' waiting messages go, inside the hours.
enum PromotionsJob {
    static let kind = "outreach.promotions"
    static let interval: TimeInterval = 10 * 60

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let queued = try await context.application.promotionService().run()
        if queued > 0 { context.logger.info("Promociones en cola", metadata: ["en_cola": "\(queued)"]) }
    }
}

extension Application {
    func promotionService() -> PromotionService {
        PromotionService(database: db, clock: clock, startSenders: { [self] count in try await whatsAppBulkSender().start(count: count) },
                         senders: usesSQLite ? 1 : max(1, emaConfig.workerConcurrency / 2))
    }
}
