import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Payment reminders on WhatsApp: `daysBefore` days before a bill's due date, the approved
/// template `recordatorio_pago` (contract, balance, due date, the pay button) to every active
/// enrollment with reminders on whose bill still owes — once per bill, never outside 7:00–20:00
/// in Bogotá, never for a bill paid by the time it leaves. A campaign like the monthly bill: the
/// same bulk lane (its ceiling, its exactly-once sending and recovery), written a page per
/// transaction.
struct ReminderService {
    let database: any Database
    let clock: AppClock
    /// Days before the due date; nil: reminders are off.
    let daysBefore: Int?
    /// Starts that many sender jobs of the bulk lane.
    let startSenders: @Sendable (Int) async throws -> Void
    let senders: Int

    /// When reminders may leave, every day in Bogotá.
    static let window = WhatsAppBulkLane.customerHours
    static let template = "recordatorio_pago"
    static let pageSize = 2_000

    /// The due date whose bills are reminded today.
    var target: CivilDate? { daysBefore.map { clock.today.adding(days: $0) } }

    struct Summary: Equatable {
        var planned = 0
        var queued = 0
    }

    /// Plans today's reminders and tomorrow's (new ones `waiting`: the page shows what will go)
    /// and, inside the window, puts today's waiting ones in the lane. Safe to run any number of
    /// times, on any number of nodes.
    func run() async throws -> Summary {
        guard let target else { return Summary() }
        var summary = Summary()
        summary.planned = try await plan(dueDate: target) + plan(dueDate: target.adding(days: 1))
        if Self.window.isOpen(at: clock.now()) {
            summary.queued = try await feed(through: target)
            if summary.queued > 0 { try await startSenders(senders) }
        }
        return summary
    }

    /// One `waiting` reminder per active enrollment with reminders on whose bill due on
    /// `dueDate` still owes; a second run adds nothing. Pages through enrollments in id order.
    func plan(dueDate: CivilDate) async throws -> Int {
        var after: UUID?
        var planned = 0
        while true {
            let from: SQLQueryString = after.map { "AND id > \(bind: $0)" } ?? ""
            let page = try await database.sql.raw("""
                SELECT e.id AS enrollment_id, e.phone, i.id AS invoice_id
                FROM (SELECT id, phone, contract_id FROM \(ident: Enrollment.schema)
                      WHERE status = \(bind: Enrollment.Status.active.rawValue) AND reminders = \(bind: true) \(from) ORDER BY id LIMIT \(literal: Self.pageSize)) AS e
                LEFT JOIN \(ident: Invoice.schema) AS i ON i.contract_id = e.contract_id AND i.due_date = \(bind: dueDate.description)
                    AND i.amount_cop > i.paid_cop + i.financed_cop
                ORDER BY e.id
                """).all()
            guard let last = page.last else { break }
            after = try last.decode(column: "enrollment_id", as: UUID.self)
            let rows = try page.compactMap { row -> (UUID, String, UUID)? in
                guard let invoice = try row.decode(column: "invoice_id", as: UUID?.self) else { return nil }
                return (try row.decode(column: "enrollment_id", as: UUID.self), try row.decode(column: "phone", as: String.self), invoice)
            }
            guard !rows.isEmpty else { continue }
            let now = clock.now()
            let insert = database.sql.insert(into: PaymentReminders.schema)
                .columns("id", "invoice_id", "enrollment_id", "phone", "due_date", "status", "created_at", "updated_at")
            for (enrollment, phone, invoice) in rows {
                insert.values(SQLBind(UUID()), SQLBind(invoice), SQLBind(enrollment), SQLBind(phone), SQLBind(dueDate.description),
                              SQLBind(PaymentReminders.Status.waiting.rawValue), SQLBind(now), SQLBind(now))
            }
            planned += try await insert.ignoringConflicts(with: ["invoice_id", "enrollment_id"]).returning("id").all().count
        }
        return planned
    }

    /// Puts the waiting reminders of bills due by `target` in the bulk lane, a page per transaction (each reminder claimed by
    /// the update that moves it, so two nodes never queue one twice); a bill paid meanwhile, a
    /// stopped enrollment or a date already past is `skipped`. Returns how many were queued.
    func feed(through target: CivilDate) async throws -> Int {
        let today = clock.today.description
        var queued = 0
        while true {
            let done = try await database.writeTransaction { tx -> Int? in
                let sql = tx.sql
                let rows = try await sql.raw("""
                    SELECT r.id, r.phone, r.due_date, r.enrollment_id, c.contract_number, i.amount_cop, i.paid_cop, i.financed_cop, e.status, e.reminders
                    FROM (SELECT id, phone, due_date, invoice_id, enrollment_id FROM \(ident: PaymentReminders.schema)
                          WHERE status = \(bind: PaymentReminders.Status.waiting.rawValue) AND due_date <= \(bind: target.description)
                          LIMIT \(literal: Self.pageSize)) AS r
                    JOIN \(ident: Invoice.schema) AS i ON i.id = r.invoice_id
                    JOIN \(ident: Contract.schema) AS c ON c.id = i.contract_id
                    JOIN \(ident: Enrollment.schema) AS e ON e.id = r.enrollment_id
                    """).all()
                guard !rows.isEmpty else { return nil }
                let now = clock.now()
                var queue: [(reminder: UUID, message: WhatsAppBulkLane.Message)] = []
                var skipped: [UUID] = []
                for row in rows {
                    let id = try row.decode(column: "id", as: UUID.self)
                    let balance = try row.decode(column: "amount_cop", as: Int64.self) - row.decode(column: "paid_cop", as: Int64.self)
                        - row.decode(column: "financed_cop", as: Int64.self)
                    let due = try row.decode(column: "due_date", as: String.self)
                    guard balance > 0, due >= today, try row.decode(column: "reminders", as: Bool.self),
                          try row.decode(column: "status", as: String.self) == Enrollment.Status.active.rawValue else {
                        skipped.append(id)
                        continue
                    }
                    queue.append((id, .init(id: UUID(), recipient: try row.decode(column: "phone", as: String.self),
                                            template: Self.message(reminder: id, contract: try row.decode(column: "contract_number", as: String.self),
                                                                   balance: balance, dueDate: due))))
                }
                if !skipped.isEmpty {
                    try await sql.update(PaymentReminders.schema).set("status", to: SQLBind(PaymentReminders.Status.skipped.rawValue))
                        .set("updated_at", to: SQLBind(now)).where("id", .in, SQLBind.group(skipped)).run()
                }
                guard !queue.isEmpty else { return 0 }
                // One statement moves the page's reminders to `queued` with their messages' ids;
                // only the ones still waiting (another node may have taken some) get a message.
                let claimed = try await ReminderTracking().tracking.claim(queue.map { ($0.reminder, $0.message.id) }, at: now, on: tx)
                let messages = queue.filter { claimed.contains($0.reminder) }.map(\.message)
                try await WhatsAppBulkLane.queue(messages, at: now, on: tx)
                return messages.count
            }
            guard let done else { break }
            queued += done
        }
        return queued
    }

    /// `recordatorio_pago`: contract, balance and due date; the Factura Web button; the
    /// reminder as callback data, so Billing follows its statuses.
    static func message(reminder: UUID, contract: String, balance: Int64, dueDate: String) -> WhatsAppTemplate {
        var template = WhatsAppTemplate(name: Self.template, language: BillMessage.language)
        template.bodyParameters = [contract, Money.format(cop: balance), CivilDate(dueDate)?.displayName ?? dueDate]
        template.urlButtonSuffix = contract
        template.callbackData = PaymentReminders.callbackPrefix + reminder.uuidString
        return template
    }

    /// The reminders of the due dates from a week ago on, by due date and status.
    func recent() async throws -> [(dueDate: CivilDate, counts: [PaymentReminders.Status: Int])] {
        var found: [CivilDate: [PaymentReminders.Status: Int]] = [:]
        for row in try await database.sql.raw("""
            SELECT due_date, status, COUNT(*) AS n FROM \(ident: PaymentReminders.schema)
            WHERE due_date >= \(bind: clock.today.adding(days: -7).description) GROUP BY due_date, status
            """).all() {
            guard let date = CivilDate(try row.decode(column: "due_date", as: String.self)),
                  let status = PaymentReminders.Status(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
            found[date, default: [:]][status] = try row.decode(column: "n", as: Int.self)
        }
        return found.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
    }

    /// Reminders of bills due on `dueDate`, by status.
    func report(dueDate: CivilDate) async throws -> [PaymentReminders.Status: Int] {
        var counts: [PaymentReminders.Status: Int] = [:]
        for row in try await database.sql.raw("""
            SELECT status, COUNT(*) AS n FROM \(ident: PaymentReminders.schema) WHERE due_date = \(bind: dueDate.description) GROUP BY status
            """).all() {
            if let status = PaymentReminders.Status(rawValue: try row.decode(column: "status", as: String.self)) {
                counts[status] = try row.decode(column: "n", as: Int.self)
            }
        }
        return counts
    }

    /// «No más recordatorios» from `phone`: its active enrollments keep the bill, without
    /// reminders; reminders not yet sent are skipped. Returns the enrollments changed.
    static func stop(phone: String, now: Date, on database: any Database) async throws -> Int {
        let changed = try await database.sql.update(Enrollment.schema).set("reminders", to: SQLBind(false))
            .where("phone", .equal, SQLBind(phone)).where("status", .equal, SQLBind(Enrollment.Status.active.rawValue))
            .where("reminders", .equal, SQLBind(true)).returning("id").all().count
        try await database.sql.update(PaymentReminders.schema).set("status", to: SQLBind(PaymentReminders.Status.skipped.rawValue))
            .set("updated_at", to: SQLBind(now)).where("phone", .equal, SQLBind(phone))
            .where("status", .equal, SQLBind(PaymentReminders.Status.waiting.rawValue)).run()
        return changed
    }
}

/// Every ten minutes: plans the day's reminders and, inside the window, sends the waiting ones.
enum PaymentRemindersJob {
    static let kind = "billing.reminders"
    static let interval: TimeInterval = 10 * 60

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let summary = try await context.application.reminderService().run()
        if summary.planned + summary.queued > 0 {
            context.logger.info("Recordatorios de pago", metadata: ["planeados": "\(summary.planned)", "en_cola": "\(summary.queued)"])
        }
    }
}

extension Application {
    func reminderService() -> ReminderService {
        ReminderService(database: db, clock: clock, daysBefore: utilityProfile?.reminders?.daysBefore,
                        startSenders: { [self] count in try await whatsAppBulkSender().start(count: count) },
                        senders: usesSQLite ? 1 : max(1, emaConfig.workerConcurrency / 2))
    }
}

/// `ema reminders run`: what the ten-minute job does, now — plans today's and tomorrow's
/// reminders and, inside 7:00–20:00, puts today's in the lane (`ema serve` sends them).
struct RemindersCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["run": RemindersRunCommand()]
    var help: String { "Recordatorios de pago por WhatsApp." }
}

struct RemindersRunCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Prepara los recordatorios de hoy y de mañana y, de 7:00 a. m. a 8:00 p. m., pone en cola los de hoy." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard app.utilityProfile?.reminders != nil else { throw CommandFailure("Los recordatorios están apagados: agregue «reminders» en utility.json.") }
        let summary = try await app.reminderService().run()
        context.console.print("Recordatorios preparados: \(summary.planned); en cola para WhatsApp: \(summary.queued).")
    }
}
