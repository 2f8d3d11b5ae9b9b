import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The monthly bill on WhatsApp: one delivery per active enrollment whose contract has a bill in
/// the period, sent as the approved utility template with the bill's PDF as its header.
struct DispatchService {
    let application: Application
    var database: any Database { application.db }

    /// The approved template (utility category) the bills go out with.
    static let templateName = "factura_disponible"
    static let templateLanguage = "es_CO"

    struct Summary: Equatable {
        var queued = 0
        var alreadyQueued = 0
        var withoutBill = 0
    }

    /// Queues the period's bills; a second run queues nothing new.
    func dispatch(period: BillingPeriod) async throws -> Summary {
        let enrollments = try await Enrollment.query(on: database)
            .filter(\.$status == Enrollment.Status.active.rawValue)
            .with(\.$contract)
            .all()
        let contractIDs = Array(Set(enrollments.map { $0.$contract.id }))
        var invoices: [UUID: Invoice] = [:]
        for chunk in stride(from: 0, to: contractIDs.count, by: 500).map({ Array(contractIDs[$0..<min(contractIDs.count, $0 + 500)]) }) {
            for invoice in try await Invoice.query(on: database).filter(\.$period == period.description).filter(\.$contract.$id ~~ chunk).all() {
                invoices[invoice.$contract.id] = invoice
            }
        }
        var summary = Summary()
        let links = BillLinks(database: database, clock: application.clock)
        let whatsApp = WhatsAppService(application: application)
        let now = application.clock.now()
        for enrollment in enrollments {
            guard let invoice = invoices[enrollment.$contract.id] else {
                summary.withoutBill += 1
                continue
            }
            let id = UUID()
            let inserted = try await (database as! any SQLDatabase).insert(into: Delivery.schema)
                .columns("id", "enrollment_id", "invoice_id", "period", "phone", "status", "created_at", "updated_at")
                .values(SQLBind(id), SQLBind(try enrollment.requireID()), SQLBind(try invoice.requireID()), SQLBind(period.description),
                        SQLBind(enrollment.phone), SQLBind(DeliveryStatus.queued.rawValue), SQLBind(now), SQLBind(now))
                .ignoringConflicts(with: ["enrollment_id", "invoice_id"])
                .returning("id")
                .all()
            guard !inserted.isEmpty else {
                summary.alreadyQueued += 1
                continue
            }
            let token = try await links.token(for: try invoice.requireID())
            var template = WhatsAppTemplate(name: Self.templateName, language: Self.templateLanguage)
            template.headerDocument = .init(link: "\(application.emaConfig.publicURL)/facturas/\(token).pdf", filename: "factura-\(period).pdf")
            template.bodyParameters = [
                enrollment.contract.contractNumber,
                period.displayName,
                Money.format(cop: invoice.amountCOP),
                CivilDate(invoice.dueDate)?.displayName ?? invoice.dueDate,
            ]
            template.callbackData = "entrega:\(id.uuidString)"
            let outbox = try await whatsApp.queueTemplate(template, to: enrollment.phone)
            try await (database as! any SQLDatabase).update(Delivery.schema)
                .set("outbox_id", to: SQLBind(outbox)).where("id", .equal, SQLBind(id)).run()
            summary.queued += 1
        }
        return summary
    }

    /// Moves a delivery's status forward (never back) and keeps the failure cause.
    static func record(_ incoming: DeliveryStatus, code: Int?, where column: String, equals value: any Encodable & Sendable, database: any Database, now: Date) async throws {
        let sql = database as! any SQLDatabase
        let rows = try await sql.select().columns("id", "status").from(Delivery.schema).where(column, .equal, SQLBind(value)).all()
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            let current = DeliveryStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .queued
            let merged = current.merged(with: incoming)
            guard merged != current else { continue }
            let update = sql.update(Delivery.schema)
                .set("status", to: SQLBind(merged.rawValue))
                .set("updated_at", to: SQLBind(now))
            if merged == .failed {
                update.set("failure_cause", to: SQLBind(DeliveryFailureCause.from(code: code).rawValue))
            } else {
                update.set("failure_cause", to: SQLLiteral.null)
            }
            try await update.where("id", .equal, SQLBind(id)).run()
        }
    }
}
