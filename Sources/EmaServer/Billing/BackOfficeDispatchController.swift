import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The back office's page of the monthly dispatch: start a period (as a job, so a million
/// enrollments do not hold a browser request), follow it, and retry failed sends.
struct BackOfficeDispatchController: RouteCollection {
    static let job = "billing.dispatch"

    func boot(routes: any RoutesBuilder) throws {
        let office = routes.grouped("backoffice", "envios").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        office.get(use: list)
        office.post(use: start)
        office.get(":period", use: show)
        office.post(":period", "reintentar", use: retry)
        office.post("recordatorios", use: planReminders)
    }

    struct ReminderRow: Encodable {
        let dueDate: String
        let counts: [Count]
    }

    /// The reminders section: the setting, and the reminders of recent and coming due dates.
    static func reminders(_ request: Request) async throws -> (setting: String, rows: [ReminderRow]) {
        guard let days = request.application.utilityProfile?.reminders?.daysBefore else {
            return ("Los recordatorios de pago están apagados (agrega «reminders» en utility.json para encenderlos).", [])
        }
        let setting = "Se envían \(days == 1 ? "1 día" : "\(days) días") antes de la fecha límite, solo de 7:00 a. m. a 8:00 p. m., una vez por factura y nunca si ya está pagada. Los de mañana quedan preparados desde hoy."
        let rows = try await request.application.reminderService().recent().map { entry in
            ReminderRow(dueDate: entry.dueDate.displayName, counts: PaymentReminders.Status.allCases.compactMap { status in
                entry.counts[status].map { Count(label: status.title, value: $0, key: status.rawValue) }
            })
        }
        return (setting, rows)
    }

    struct PlanForm: Content { let vence: String? }

    /// Prepares the reminders of bills due on a date (they leave on their day, in their hours).
    @Sendable
    func planReminders(request: Request) async throws -> Response {
        guard let staff = request.staff else { throw Abort(.unauthorized) }
        guard request.application.utilityProfile?.reminders != nil,
              let date = (try? request.content.decode(PlanForm.self))?.vence.flatMap(CivilDate.init), !(date < request.application.clock.today)
        else { return request.redirect(to: "/backoffice/envios?aviso=recordatorios", redirectType: .normal) }
        let planned = try await request.application.reminderService().plan(dueDate: date)
        try await request.application.staffService().audit(staff.accountID, email: staff.email, "recordatorios_preparados", subject: date.description, detail: "\(planned)")
        return request.redirect(to: "/backoffice/envios?aviso=recordatorios-listos#recordatorios", redirectType: .normal)
    }

    struct DispatchPayload: Codable { let period: String }

    /// The job body: the same dispatch as `ema invoices dispatch`.
    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let period = try JSONDecoder().decode(DispatchPayload.self, from: Data(payload.utf8)).period
        guard let value = BillingPeriod(period) else { return }
        let summary = try await context.application.dispatchService().dispatch(period: value)
        context.logger.info("Envío de facturas en cola", metadata: ["periodo": .string(period), "en_cola": "\(summary.queued)", "sin_factura": "\(summary.withoutBill)"])
    }

    struct PeriodRow: Encodable {
        let period: String
        let name: String
        let total: Int
        let sent: Int
        let failed: Int
        let waiting: Int
    }

    struct ListPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let frame: BackOfficeController.Frame
        let periods: [PeriodRow]
        let notice: String?
        let remindersSetting: String
        let reminders: [ReminderRow]
        let remindersOn: Bool
        let today: String
    }

    @Sendable
    func list(request: Request) async throws -> View {
        guard let staff = request.staff else { throw Abort(.unauthorized) }
        let service = request.application.dispatchService()
        var rows: [PeriodRow] = []
        for period in try await Self.recentPeriods(request.db) {
            let report = try await service.report(period: period)
            rows.append(PeriodRow(period: period.description, name: period.displayName, total: report.total, sent: report.sent, failed: report.failed, waiting: report.waiting))
        }
        let reminders = try await Self.reminders(request)
        return try await request.view.render("backoffice/dispatch-list", ListPage(
            title: "Envío de facturas", utility: request.application.utilityProfile, frame: .init(staff), periods: rows,
            notice: request.query[String.self, at: "aviso"].flatMap(Self.notice), remindersSetting: reminders.setting, reminders: reminders.rows,
            remindersOn: request.application.utilityProfile?.reminders != nil, today: request.application.clock.today.description
        ))
    }

    /// The periods that have bills, newest first (six at most).
    static func recentPeriods(_ database: any Database) async throws -> [BillingPeriod] {
        let periods = try await Invoice.query(on: database).unique().field(\.$period).sort(\.$period, .descending).limit(6).all().map(\.period)
        return periods.compactMap(BillingPeriod.init)
    }

    static func notice(_ code: String) -> String? {
        switch code {
        case "periodo": "Elige un periodo que tenga facturas."
        case "whatsapp": BillingError.whatsAppUnavailable.reason
        case "recordatorios": "Elige una fecha límite de hoy en adelante (los recordatorios deben estar encendidos)."
        case "recordatorios-listos": "Recordatorios preparados: salen el día que corresponde, en su horario."
        default: nil
        }
    }

    struct StartForm: Content {
        let periodo: String?
        /// `si` from the period's page, which shows how many customers get the bill; from
        /// anywhere else the supervisor is taken to that page first.
        let confirmo: String?
    }

    @Sendable
    func start(request: Request) async throws -> Response {
        guard let staff = request.staff else { throw Abort(.unauthorized) }
        let form = try? request.content.decode(StartForm.self)
        guard let text = form?.periodo, let period = BillingPeriod(text),
              try await Invoice.query(on: request.db).filter(\.$period == period.description).first() != nil
        else { return request.redirect(to: "/backoffice/envios?aviso=periodo", redirectType: .normal) }
        guard form?.confirmo == "si" else { return request.redirect(to: "/backoffice/envios/\(period)", redirectType: .normal) }
        guard request.application.whatsAppAvailable else { return request.redirect(to: "/backoffice/envios?aviso=whatsapp", redirectType: .normal) }
        // One job per period and minute: a double click starts it once (and a re-run queues nothing new anyway).
        let slot = Int(request.application.clock.now().timeIntervalSince1970 / 60)
        try await request.application.jobQueue.enqueue(kind: Self.job, payload: DispatchPayload(period: period.description), maxAttempts: 3, idempotencyKey: "dispatch:\(period):\(slot)")
        await request.application.jobRunner?.nudge()
        try await request.application.staffService().audit(staff.accountID, email: staff.email, "envio_iniciado", subject: period.description, detail: "")
        return request.redirect(to: "/backoffice/envios/\(period)", redirectType: .normal)
    }

    struct Count: Encodable { let label: String; let value: Int; let key: String }

    struct ShowPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let frame: BackOfficeController.Frame
        let period: String
        let name: String
        let total: Int
        let handed: Int
        let percent: Int
        let statuses: [Count]
        let causes: [Count]
        let waiting: Int
        let uncertain: Int
        let failed: Int
        let closed: Bool
        let preparing: Bool
        /// Active enrollments with a bill in the period that have no delivery yet (counted only
        /// when the page is not following a run).
        let unsent: Int
        let unsentLabel: String
        let retryLabel: String
        /// Nothing to send: no active enrollment has a bill in the period.
        let empty: Bool
        let refresh: Bool
        let notice: String?
    }

    /// What became of each bill: «sent» is in WhatsApp's hands, not yet on the phone.
    static let statusLabels = [
        ("queued", "En cola"), ("sent", "Enviadas, sin confirmar entrega"), ("delivered", "Entregadas al celular"),
        ("read", "Leídas por el cliente"), ("failed", "Fallidas"),
    ]
    static let causeLabels = [
        ("operator_rejected", "Rechazo del operador"), ("number_rejected", "Número rechazado"),
        ("undeliverable", "No entregable"), ("content_rejected", "Contenido rechazado"),
    ]

    @Sendable
    func show(request: Request) async throws -> View {
        guard let staff = request.staff else { throw Abort(.unauthorized) }
        guard let period = BillingPeriod(request.parameters.get("period") ?? "") else { throw BillingError.invalidPeriod }
        let report = try await request.application.dispatchService().report(period: period)
        let preparing = try await request.application.jobQueue.hasPending(kind: Self.job, mentioning: "\"\(period)\"")
        let handed = report.total - report.waiting - report.uncertain
        let refresh = preparing || report.waiting > 0
        let unsent = refresh ? 0 : try await Self.unsent(period: period, database: request.db)
        let retried = request.query[Int.self, at: "reintentadas"]
        return try await request.view.render("backoffice/dispatch", ShowPage(
            title: "Envío de \(period.displayName)", utility: request.application.utilityProfile, frame: .init(staff),
            period: period.description, name: period.displayName, total: report.total, handed: handed,
            percent: report.total == 0 ? 0 : handed * 100 / report.total,
            statuses: Self.statusLabels.map { Count(label: $0.1, value: report.byStatus[$0.0] ?? 0, key: $0.0) },
            causes: Self.causeLabels.map { Count(label: $0.1, value: report.byCause[$0.0] ?? 0, key: $0.0) },
            waiting: report.waiting, uncertain: report.uncertain, failed: report.failed, closed: report.closed,
            preparing: preparing, unsent: unsent,
            unsentLabel: unsent == 1 ? "1 inscripción activa aún no tiene esta factura: se enviará a 1 cliente." : "\(SpanishNumber.integer(unsent)) inscripciones activas aún no tienen esta factura: se enviará a cada una.",
            retryLabel: report.failed == 1 ? "Reintentar el envío fallido" : "Reintentar los \(report.failed) envíos fallidos", empty: !refresh && report.total == 0 && unsent == 0, refresh: refresh,
            notice: retried.map {
                switch $0 {
                case 0: "No había envíos fallidos para reintentar."
                case 1: "Se volvió a poner en cola 1 envío fallido."
                default: "Se volvieron a poner en cola \($0) envíos fallidos."
                }
            }
        ))
    }

    /// Active enrollments with a bill in the period and no delivery of it yet.
    static func unsent(period: BillingPeriod, database: any Database) async throws -> Int {
        try await database.sql.raw("""
            SELECT COUNT(*) AS n FROM \(ident: Enrollment.schema) AS e
            JOIN \(ident: Invoice.schema) AS i ON i.contract_id = e.contract_id AND i.period = \(bind: period.description)
            LEFT JOIN \(ident: Delivery.schema) AS d ON d.enrollment_id = e.id AND d.invoice_id = i.id
            WHERE e.status = \(bind: Enrollment.Status.active.rawValue) AND d.id IS NULL
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @Sendable
    func retry(request: Request) async throws -> Response {
        guard let staff = request.staff else { throw Abort(.unauthorized) }
        guard let period = BillingPeriod(request.parameters.get("period") ?? "") else { throw BillingError.invalidPeriod }
        let count = try await request.application.dispatchService().retryFailed(period: period)
        try await request.application.staffService().audit(staff.accountID, email: staff.email, "envio_reintentado", subject: period.description, detail: "\(count) envíos")
        return request.redirect(to: "/backoffice/envios/\(period)?reintentadas=\(count)", redirectType: .normal)
    }
}
