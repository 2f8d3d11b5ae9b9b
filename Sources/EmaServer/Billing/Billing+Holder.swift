import EmaCore
import Fluent
import Foundation
import SQLKit

/// A holder's enrollments, name and bill deliveries. Suppression ends the enrollments and
/// leaves the deliveries (proof the bill was sent) without the number; revocation ends the
/// enrollments and takes the bills still waiting in the outbox back, so paper takes over.
struct BillingHolderRecords: HolderRecords {
    let title = "Factura por WhatsApp"
    static let statusNames = ["queued": "en cola", "sent": "enviada", "delivered": "entregada", "read": "leída", "failed": "no entregada"]

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        let phone = holder.phone
        var entries: [HolderCopy.Entry] = []
        if let holder = try await WhatsAppHolder.find(phone, on: database) {
            entries.append(.init(label: "Nombre registrado", details: [holder.holderName, "Actualizado el \(holder.updatedAt.bogotaStamp)"]))
        }
        let enrollments = try await Enrollment.query(on: database).filter(\.$phone == phone).with(\.$contract).sort(\.$createdAt).all()
        for enrollment in enrollments {
            var details = [
                "Dirección del predio: \(enrollment.contract.address), \(enrollment.contract.municipality)",
                "Inscrito por \(enrollment.holderName) el \(enrollment.createdAt.bogotaStamp) \(byChannel(enrollment.channel))",
            ]
            if let ended = enrollment.endedAt { details.append("Terminada el \(ended.bogotaStamp): \(enrollment.endReason ?? "")") }
            let state = enrollment.status == Enrollment.Status.active.rawValue ? "activa" : "terminada"
            entries.append(.init(label: "Contrato \(enrollment.contract.contractNumber) · inscripción \(state)", details: details))
        }
        let deliveries = try await Delivery.query(on: database).filter(\.$phone == phone).sort(\.$period).all()
        if !deliveries.isEmpty {
            entries.append(.init(label: "Facturas enviadas por WhatsApp", details: deliveries.map { "Periodo \($0.period): \(Self.statusNames[$0.status] ?? $0.status)" }))
        }
        let reminders = try await database.sql.select().columns("due_date", "status").from(PaymentReminders.schema)
            .where("phone", .equal, SQLBind(phone)).orderBy("due_date").all()
        if !reminders.isEmpty {
            entries.append(.init(label: "Recordatorios de pago", details: try reminders.map {
                let status = PaymentReminders.Status(rawValue: try $0.decode(column: "status", as: String.self))?.title ?? ""
                return "Factura con fecha límite \(CivilDate(try $0.decode(column: "due_date", as: String.self))?.displayName ?? ""): \(status.lowercased())"
            }))
        }
        // Registered by the billing system (the next import brings them back: they are corrected there).
        for meter in try await PrepaidStore(database: database).meters(mobile: phone) {
            entries.append(.init(label: "Medidor prepago \(meter.number)", details: [
                "Este número está registrado para recibir los códigos del medidor (\(meter.service == .energia ? "energía" : "agua"))",
            ]))
        }
        for row in try await database.sql.select().columns("last4", "holder_name").from(SomosCards.schema).where("mobile", .equal, SQLBind(phone)).all() {
            entries.append(.init(label: "Tarjeta SOMOS terminada en \(try row.decode(column: "last4", as: String.self))", details: [
                "Titular: \(try row.decode(column: "holder_name", as: String.self)); este número recibe los códigos de sus certificados",
            ]))
        }
        for agreement in try await PaymentAgreement.query(on: database).filter(\.$acceptedPhone == phone).with(\.$contract).sort(\.$acceptedAt).all() {
            entries.append(.init(label: "Acuerdo de pago \(agreement.number) · contrato \(agreement.contract.contractNumber)", details: [
                "Aceptado por \(agreement.acceptedName) el \(agreement.acceptedAt.bogotaStamp), con código enviado a este número",
                "\(agreement.instalments) cuotas de \(Money.format(cop: agreement.instalmentCOP)); estado: \(PaymentAgreement.Status(rawValue: agreement.status)?.title.lowercased() ?? agreement.status)",
            ]))
        }
        return entries
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let phone = holder.phone
        let ended = try await end(phone, reason: "supresión de datos pedida por el titular", at: now, on: database)
        let sql = database.sql
        let enrollments = try await sql.update(Enrollment.schema).set("phone", to: SQLBind(Erased.text)).set("holder_name", to: SQLBind(Erased.text))
            .where("phone", .equal, SQLBind(phone)).returning("id").all().count
        let deliveries = try await sql.update(Delivery.schema).set("phone", to: SQLBind(Erased.text)).where("phone", .equal, SQLBind(phone)).returning("id").all().count
        let holders = try await sql.delete(from: WhatsAppHolder.schema).where("phone", .equal, SQLBind(phone)).returning("phone").all().count
        // Reminders not sent are dropped; the record of those sent keeps no number. A payment
        // agreement keeps its proof of acceptance (number included) while the debt lasts: the
        // law's exception for what a contract needs.
        try await sql.update(PaymentReminders.schema).set("status", to: SQLBind(PaymentReminders.Status.skipped.rawValue))
            .where("phone", .equal, SQLBind(phone)).where("status", .equal, SQLBind(PaymentReminders.Status.waiting.rawValue)).run()
        let reminders = try await sql.update(PaymentReminders.schema).set("phone", to: SQLBind(Erased.text))
            .where("phone", .equal, SQLBind(phone)).returning("id").all().count
        return ended.count + enrollments + deliveries + holders + reminders
    }

    /// Ends the number's active enrollments and cancels its bills not yet handed to WhatsApp
    /// (their deliveries fail, so the contract gets its paper bill). The contracts ended.
    func end(_ phone: String, reason: String, at now: Date, on database: any Database) async throws -> [String] {
        let sql = database.sql
        let rows = try await sql.update(Enrollment.schema)
            .set("status", to: SQLBind(Enrollment.Status.removed.rawValue)).set("ended_at", to: SQLBind(now))
            .set("end_reason", to: SQLBind(reason)).set("updated_at", to: SQLBind(now))
            .where("phone", .equal, SQLBind(phone)).where("status", .equal, SQLBind(Enrollment.Status.active.rawValue))
            .returning("contract_id").all()
        let taken = try await WhatsAppBulkLane.takeBack(recipient: phone, on: database)
        if !taken.isEmpty {
            try await sql.update(Delivery.schema).set("status", to: SQLBind(DeliveryStatus.failed.rawValue)).set("updated_at", to: SQLBind(now))
                .where("outbox_id", .in, SQLBind.group(taken)).run()
        }
        return try await contractNumbers(rows, on: database)
    }

    /// The holder's name on the number's active enrollments (and its holder row). The contracts.
    func rename(_ phone: String, to name: String, at now: Date, on database: any Database) async throws -> [String] {
        let sql = database.sql
        try await sql.update(WhatsAppHolder.schema).set("holder_name", to: SQLBind(name)).set("updated_at", to: SQLBind(now))
            .where("phone", .equal, SQLBind(phone)).run()
        let rows = try await sql.update(Enrollment.schema).set("holder_name", to: SQLBind(name)).set("updated_at", to: SQLBind(now))
            .where("phone", .equal, SQLBind(phone)).where("status", .equal, SQLBind(Enrollment.Status.active.rawValue))
            .returning("contract_id").all()
        return try await contractNumbers(rows, on: database)
    }

    enum Move: Equatable { case moved([String]), tooMany(Int) }

    /// Moves the number's active enrollments to a new (verified) number, within the limit per
    /// number; a contract already on the new number just ends on the old one. Inside the
    /// caller's transaction.
    func move(_ phone: String, to new: String, limit: Int, at now: Date, on tx: any Database) async throws -> Move {
        let sql = tx.sql
        let active = Enrollment.Status.active.rawValue
        let moving = try await Enrollment.query(on: tx).filter(\.$phone == phone).filter(\.$status == active).all()
        let there = try await Enrollment.query(on: tx).filter(\.$phone == new).filter(\.$status == active).all()
        let already = Set(there.map(\.$contract.id))
        let arriving = moving.filter { !already.contains($0.$contract.id) }
        if there.count + arriving.count > limit { return .tooMany(there.count) }
        // The holder's row moves with the enrollments: the old number keeps no name.
        if let holder = try await WhatsAppHolder.find(phone, on: tx) {
            try await sql.insert(into: WhatsAppHolder.schema).columns("phone", "holder_name", "updated_at")
                .values(SQLBind(new), SQLBind(holder.holderName), SQLBind(now))
                .onConflict(with: ["phone"]) { $0.set("updated_at", to: SQLBind(now)) }.run()
            try await holder.delete(on: tx)
        }
        // Reminders still waiting go to the new number.
        try await sql.update(PaymentReminders.schema).set("phone", to: SQLBind(new))
            .where("phone", .equal, SQLBind(phone)).where("status", .equal, SQLBind(PaymentReminders.Status.waiting.rawValue)).run()
        for enrollment in moving {
            if already.contains(enrollment.$contract.id) {
                enrollment.status = Enrollment.Status.removed.rawValue
                enrollment.endedAt = now
                enrollment.endReason = "el titular cambió el número que recibe la factura"
            } else {
                enrollment.phone = new
                enrollment.consecutiveFailedPeriods = 0
            }
            enrollment.updatedAt = now
            try await enrollment.save(on: tx)
        }
        return .moved(try await contractNumbers(moving.map(\.$contract.id), on: tx))
    }

    func contractNumbers(_ rows: [any SQLRow], on database: any Database) async throws -> [String] {
        try await contractNumbers(try rows.map { try $0.decode(column: "contract_id", as: UUID.self) }, on: database)
    }

    func contractNumbers(_ ids: [UUID], on database: any Database) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        return try await Contract.query(on: database).filter(\.$id ~~ ids).all().map(\.contractNumber).sorted()
    }
}
