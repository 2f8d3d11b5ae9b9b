import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The monthly bill on WhatsApp: one delivery per active enrollment whose contract has a bill in
/// the period, sent as the approved utility template with the bill's PDF as its header.
struct DispatchService {
    let database: any Database
    let clock: AppClock
    /// Where the bills' links point (`EMA_PUBLIC_URL`).
    let publicURL: String
    /// Pages written at once: one on SQLite (one writer), a few on PostgreSQL.
    let pagesInFlight: Int
    /// Sender jobs a campaign starts: half the worker slots at most, so customers still get
    /// their replies during a campaign (one on SQLite).
    let senders: Int
    /// Starts that many sender jobs of the bulk lane (`WhatsAppBulkSender.start`).
    let startSenders: @Sendable (Int) async throws -> Void

    struct Summary: Equatable {
        var queued = 0
        var alreadyQueued = 0
        var withoutBill = 0
    }

    /// Enrollments read per page (and rows per insert: 9 values each stays under SQLite's
    /// 32,766 bound parameters).
    static let pageSize = 2_000

    /// Queues the period's bills; a second run queues nothing new. Pages through the active
    /// enrollments in id order with their period bill joined, and writes each page's deliveries
    /// and outbox messages in one transaction of two multi-row inserts, so memory stays flat
    /// and a crash leaves whole pages. `progress` gets (enrollments read, total).
    func dispatch(period: BillingPeriod, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Summary {
        let sql = database.sql
        let total = try await Enrollment.query(on: database).filter(\.$status == Enrollment.Status.active.rawValue).count()
        let signer = try await BillLinks(database: database, clock: clock).signer()
        var summary = Summary()
        var after: UUID?
        var read = 0
        // Reading a page is one quick query; writing it is the work. On PostgreSQL a few pages
        // are written at once (disjoint rows, separate connections); SQLite has one writer.
        let (inFlight, publicURL) = (pagesInFlight, publicURL)
        let database = database
        try await withThrowingTaskGroup(of: (inserted: Int, billed: Int).self) { group in
            var running = 0
            func collect(_ result: (inserted: Int, billed: Int)) {
                summary.queued += result.inserted
                summary.alreadyQueued += result.billed - result.inserted
            }
            while true {
                let page = try await self.page(after: after, period: period, sql: sql)
                guard let last = page.last else { break }
                after = last.enrollment
                read += Set(page.map(\.enrollment)).count
                let billed = page.filter { $0.invoice != nil }
                summary.withoutBill += page.count - billed.count
                // A contract with two bills in the period makes a page longer than 2,000 rows.
                for start in stride(from: 0, to: billed.count, by: Self.pageSize) {
                    let rows = Array(billed[start..<min(billed.count, start + Self.pageSize)])
                    if running >= inFlight, let done = try await group.next() {
                        collect(done)
                        running -= 1
                    }
                    let now = clock.now()
                    group.addTask {
                        let inserted = try await database.writeTransaction { tx in
                            try await Self.write(rows, period: period, signer: signer, publicURL: publicURL, now: now, on: tx)
                        }
                        return (inserted, rows.count)
                    }
                    running += 1
                }
                progress?(read, total)
            }
            for try await done in group { collect(done) }
        }
        if summary.queued > 0 {
            try await startSenders(senders)
        }
        return summary
    }

    struct Row {
        let enrollment: UUID
        let phone: String
        let contractNumber: String
        let invoice: UUID?
        let amountCOP: Int64
        let paidCOP: Int64
        let dueDate: String

        /// From a query that names its columns enrollment_id, phone, contract_number, invoice_id,
        /// amount_cop, paid_cop and due_date (the bill's may be null: no bill in the period).
        init(_ row: any SQLRow) throws {
            enrollment = try row.decode(column: "enrollment_id", as: UUID.self)
            phone = try row.decode(column: "phone", as: String.self)
            contractNumber = try row.decode(column: "contract_number", as: String.self)
            invoice = try row.decode(column: "invoice_id", as: UUID?.self)
            amountCOP = try row.decode(column: "amount_cop", as: Int64?.self) ?? 0
            paidCOP = try row.decode(column: "paid_cop", as: Int64?.self) ?? 0
            dueDate = try row.decode(column: "due_date", as: String?.self) ?? ""
        }
    }

    /// One page of active enrollments after `after`, each with its bill of the period (if any).
    func page(after: UUID?, period: BillingPeriod, sql: any SQLDatabase) async throws -> [Row] {
        let from: SQLQueryString = after.map { "AND id > \(bind: $0)" } ?? ""
        return try await sql.raw("""
            SELECT e.id AS enrollment_id, e.phone, c.contract_number, i.id AS invoice_id, i.amount_cop, i.paid_cop, i.due_date
            FROM (SELECT id, phone, contract_id FROM \(ident: Enrollment.schema)
                  WHERE status = \(bind: Enrollment.Status.active.rawValue) \(from) ORDER BY id LIMIT \(literal: Self.pageSize)) AS e
            JOIN \(ident: Contract.schema) AS c ON c.id = e.contract_id
            LEFT JOIN \(ident: Invoice.schema) AS i ON i.contract_id = e.contract_id AND i.period = \(bind: period.description)
            ORDER BY e.id
            """).all().map(Row.init)
    }

    /// Inserts the deliveries (a conflict means already queued) and, for the new ones only,
    /// their template messages in the bulk lane. Returns how many were new.
    static func write(_ rows: [Row], period: BillingPeriod, signer: BillLinks.Signer, publicURL: String, now: Date, on database: any Database) async throws -> Int {
        let sql = database.sql
        let outboxIDs = rows.map { _ in UUID() }
        let deliveryIDs = rows.map { _ in UUID() }
        let deliveries = sql.insert(into: Delivery.schema)
            .columns("id", "enrollment_id", "invoice_id", "period", "phone", "status", "outbox_id", "created_at", "updated_at")
        for (index, row) in rows.enumerated() {
            deliveries.values(
                SQLBind(deliveryIDs[index]), SQLBind(row.enrollment), SQLBind(row.invoice), SQLBind(period.description), SQLBind(row.phone),
                SQLBind(DeliveryStatus.queued.rawValue), SQLBind(outboxIDs[index]), SQLBind(now), SQLBind(now)
            )
        }
        let inserted = Set(try await deliveries.ignoringConflicts(with: ["enrollment_id", "invoice_id"]).returning("id").all()
            .map { try $0.decode(column: "id", as: UUID.self) })
        guard !inserted.isEmpty else { return 0 }
        let messages = rows.indices.compactMap { index -> WhatsAppBulkLane.Message? in
            guard inserted.contains(deliveryIDs[index]), let invoice = rows[index].invoice else { return nil }
            let template = template(for: rows[index], invoice: invoice, delivery: deliveryIDs[index], period: period, signer: signer, publicURL: publicURL)
            return .init(id: outboxIDs[index], recipient: rows[index].phone, template: template)
        }
        try await WhatsAppBulkLane.queue(messages, at: now, on: database)
        return inserted.count
    }

    static func template(for row: Row, invoice: UUID, delivery: UUID, period: BillingPeriod, signer: BillLinks.Signer, publicURL: String) -> WhatsAppTemplate {
        BillMessage.template(
            .init(contractNumber: row.contractNumber, invoice: invoice, period: period, amountCOP: row.amountCOP, paidCOP: row.paidCOP,
                  dueDate: row.dueDate, delivery: delivery),
            signer: signer, publicURL: publicURL
        )
    }

    // MARK: Following a run

    /// Where a period's dispatch stands: deliveries by status and by failure cause, and the
    /// messages not yet handed to Meta.
    struct Report: Content, Equatable {
        var period: String
        var total = 0
        var byStatus: [String: Int] = [:]
        var byCause: [String: Int] = [:]
        /// Waiting for the sender (queued or being sent).
        var waiting = 0
        /// Interrupted mid-send; waiting for Meta's status before any resend.
        var uncertain = 0
        /// `ema invoices close` ran for the period: no more retries.
        var closed = false

        var sent: Int { total - (byStatus["queued"] ?? 0) - (byStatus["failed"] ?? 0) }
        var failed: Int { byStatus["failed"] ?? 0 }
    }

    func report(period: BillingPeriod) async throws -> Report {
        let sql = database.sql
        var report = Report(period: period.description)
        for row in try await sql.raw("""
            SELECT status, failure_cause, closed, COUNT(*) AS n FROM \(ident: Delivery.schema) WHERE period = \(bind: period.description)
            GROUP BY status, failure_cause, closed
            """).all() {
            let count = try row.decode(column: "n", as: Int.self)
            report.total += count
            report.byStatus[try row.decode(column: "status", as: String.self), default: 0] += count
            if let cause = try row.decode(column: "failure_cause", as: String?.self) { report.byCause[cause, default: 0] += count }
            if try row.decode(column: "closed", as: Bool.self) { report.closed = true }
        }
        // Waiting: still queued (the delivery moves on when its message is sent). Uncertain: the
        // period's among the bulk lane's few messages in doubt.
        let inDoubt = try await WhatsAppBulkLane.inDoubt(on: database)
        for start in stride(from: 0, to: inDoubt.count, by: 1_000) {
            report.uncertain += try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Delivery.schema)
                .where("outbox_id", .in, SQLBind.group(Array(inDoubt[start..<min(inDoubt.count, start + 1_000)])))
                .where("period", .equal, SQLBind(period.description))
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
        report.waiting = (report.byStatus[DeliveryStatus.queued.rawValue] ?? 0) - report.uncertain
        return report
    }

    /// Sends again every failed bill of a period that is not closed: a new message for each
    /// (the failed one is final, so there is never a second live send), the delivery back to
    /// `queued`. Returns how many were queued.
    func retryFailed(period: BillingPeriod) async throws -> Int {
        let sql = database.sql
        let failed = try await sql.raw("""
            SELECT d.id AS delivery_id, d.outbox_id, d.enrollment_id, d.phone, c.contract_number, i.id AS invoice_id, i.amount_cop, i.paid_cop, i.due_date
            FROM \(ident: Delivery.schema) AS d
            JOIN \(ident: Invoice.schema) AS i ON i.id = d.invoice_id
            JOIN \(ident: Contract.schema) AS c ON c.id = i.contract_id
            WHERE d.period = \(bind: period.description) AND d.status = \(bind: DeliveryStatus.failed.rawValue) AND d.closed = \(bind: false)
            """).all()
        // Never a second live message: one whose message is still on its way waits for it.
        let onTheirWay = try await WhatsAppBulkLane.onTheirWay(among: failed.compactMap { try $0.decode(column: "outbox_id", as: UUID?.self) }, on: database)
        let rows = try failed.filter { try $0.decode(column: "outbox_id", as: UUID?.self).map { !onTheirWay.contains($0) } ?? true }
        guard !rows.isEmpty else { return 0 }
        let signer = try await BillLinks(database: database, clock: clock).signer()
        let now = clock.now()
        let count = try await database.writeTransaction { tx in
            let sql = tx.sql
            var queued = 0
            for row in rows {
                let delivery = try row.decode(column: "delivery_id", as: UUID.self)
                let data = try Row(row)
                guard let invoice = data.invoice else { continue }
                let outbox = UUID()
                // Claim the delivery first: of two retries at once (a double click), only the one
                // whose update moved it from `failed` writes a message.
                let claimed = try await sql.update(Delivery.schema)
                    .set("status", to: SQLBind(DeliveryStatus.queued.rawValue)).set("failure_cause", to: SQLLiteral.null)
                    .set("outbox_id", to: SQLBind(outbox)).set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(delivery)).where("status", .equal, SQLBind(DeliveryStatus.failed.rawValue))
                    .returning("id")
                    .all()
                guard !claimed.isEmpty else { continue }
                let message = Self.template(for: data, invoice: invoice, delivery: delivery, period: period, signer: signer, publicURL: publicURL)
                try await WhatsAppBulkLane.queue([.init(id: outbox, recipient: data.phone, template: message)], at: now, on: tx)
                queued += 1
            }
            return queued
        }
        if count > 0 { try await startSenders(1) }
        return count
    }
}

extension Application {
    func dispatchService() -> DispatchService {
        DispatchService(
            database: db, clock: clock, publicURL: emaConfig.publicURL, pagesInFlight: usesSQLite ? 1 : 3,
            senders: usesSQLite ? 1 : max(1, emaConfig.workerConcurrency / 2),
            startSenders: { [self] count in try await whatsAppBulkSender().start(count: count) }
        )
    }
}
