import EmaCore
import Fluent
import Foundation
import SQLKit

/// Billing follows its bills through WhatsApp's bulk lane: a bill's delivery moves with its
/// message (registered by `setUpBilling` as an observer of the lane). Every change runs inside
/// the transaction in which Channels records it.
struct DeliveryTracking: WhatsAppBulkObserver {
    let clock: AppClock
    /// Where the bills' links point (`EMA_PUBLIC_URL`).
    let publicURL: String

    /// The callback data of a bill's message: `entrega:<delivery id>`.
    static let callbackPrefix = "entrega:"

    static func callbackData(delivery: UUID) -> String { "\(callbackPrefix)\(delivery.uuidString)" }

    /// queued → sent; a delivery a webhook already moved further stays where it is.
    func sent(_ messages: [UUID], at now: Date, on database: any Database) async throws {
        guard !messages.isEmpty else { return }
        try await database.sql.update(Delivery.schema)
            .set("status", to: SQLBind(DeliveryStatus.sent.rawValue)).set("updated_at", to: SQLBind(now))
            .where("outbox_id", .in, SQLBind.group(messages))
            .where("status", .equal, SQLBind(DeliveryStatus.queued.rawValue))
            .run()
    }

    /// The bills paid, wholly or in part, since their messages were queued: each message with
    /// the balance of now, or saying the bill is paid. One indexed query per batch.
    func current(_ messages: [UUID], on database: any Database) async throws -> [UUID: WhatsAppTemplate] {
        guard !messages.isEmpty else { return [:] }
        let rows = try await database.sql.raw("""
            SELECT d.id AS delivery_id, d.outbox_id, d.period, d.enrollment_id, d.phone, c.contract_number, i.id AS invoice_id, i.amount_cop, i.paid_cop, i.due_date
            FROM \(ident: Delivery.schema) AS d
            JOIN \(ident: Invoice.schema) AS i ON i.id = d.invoice_id
            JOIN \(ident: Contract.schema) AS c ON c.id = i.contract_id
            WHERE d.outbox_id IN (\(binds: messages)) AND i.paid_cop > 0
            """).all()
        guard !rows.isEmpty else { return [:] }
        let signer = try await BillLinks(database: database, clock: clock).signer()
        var current: [UUID: WhatsAppTemplate] = [:]
        for row in rows {
            // The same row and template the dispatch queued, with the payments of now.
            let bill = try DispatchService.Row(row)
            guard let period = BillingPeriod(try row.decode(column: "period", as: String.self)), let invoice = bill.invoice else { continue }
            current[try row.decode(column: "outbox_id", as: UUID.self)] = DispatchService.template(
                for: bill, invoice: invoice, delivery: try row.decode(column: "delivery_id", as: UUID.self), period: period, signer: signer, publicURL: publicURL
            )
        }
        return current
    }

    /// A status for a bill's message: found by its callback data, or (a status without one) by
    /// the outbox row. Returns the messages of the deliveries it moved or found.
    func reached(
        _ status: DeliveryStatus, code: Int?, cause: DeliveryFailureCause?, callback: String?, message: UUID?,
        at now: Date, on database: any Database
    ) async throws -> [UUID] {
        if let callback {
            guard callback.hasPrefix(Self.callbackPrefix), let delivery = UUID(uuidString: String(callback.dropFirst(Self.callbackPrefix.count))) else { return [] }
            return try await Self.record(status, code: code, cause: cause, where: "id", equals: delivery, on: database, now: now)
        }
        guard let message else { return [] }
        return try await Self.record(status, code: code, cause: cause, where: "outbox_id", equals: message, on: database, now: now)
    }

    /// Moves the deliveries `column` = `value` forward (never back) and keeps the failure cause.
    /// Returns their messages.
    static func record(
        _ incoming: DeliveryStatus, code: Int?, cause: DeliveryFailureCause?, where column: String, equals value: any Encodable & Sendable,
        on database: any Database, now: Date
    ) async throws -> [UUID] {
        let sql = database.sql
        let rows = try await sql.select().columns("id", "status", "outbox_id").from(Delivery.schema).where(column, .equal, SQLBind(value)).all()
        var messages: [UUID] = []
        for row in rows {
            if let outbox = try row.decode(column: "outbox_id", as: UUID?.self) { messages.append(outbox) }
            let id = try row.decode(column: "id", as: UUID.self)
            let current = DeliveryStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .queued
            let merged = current.merged(with: incoming)
            guard merged != current else { continue }
            let update = sql.update(Delivery.schema)
                .set("status", to: SQLBind(merged.rawValue))
                .set("updated_at", to: SQLBind(now))
            if merged == .failed {
                update.set("failure_cause", to: SQLBind((cause ?? DeliveryFailureCause.from(code: code)).rawValue))
            } else {
                update.set("failure_cause", to: SQLLiteral.null)
            }
            try await update.where("id", .equal, SQLBind(id)).run()
        }
        return messages
    }
}
