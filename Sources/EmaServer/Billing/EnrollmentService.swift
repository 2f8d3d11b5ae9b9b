import EmaCore
import Fluent
import Foundation
import SQLKit

/// WhatsApp bill enrollments: the rules 1.1–1.2 of the seed, safe under concurrency.
struct EnrollmentService {
    let database: any Database
    let clock: AppClock
    var maxContractsPerPhone = 4

    /// Enrolls a contract to a number. The holder row of the number is written first, inside the
    /// transaction: that write serialises every enrollment of the same number (PostgreSQL row
    /// lock, SQLite's single writer), so two conversations at once can never pass the limit.
    func enroll(_ request: EnrollmentRequest) async throws -> EnrollmentOutcome {
        let now = clock.now()
        return try await database.writeTransaction { transaction in
            let sql = transaction.sql
            try await sql.insert(into: WhatsAppHolder.schema)
                .columns("phone", "holder_name", "updated_at")
                .values(SQLBind(request.phone), SQLBind(request.holderName), SQLBind(now))
                .onConflict(with: ["phone"]) { $0.set(excludedValueOf: "holder_name").set(excludedValueOf: "updated_at") }
                .run()
            guard let contract = try await Contract.query(on: transaction).filter(\.$contractNumber == request.contractNumber).first(),
                  contract.status == ContractStatus.activo.rawValue, let contractID = contract.id
            else { return .contractUnavailable }
            let active = try await Enrollment.query(on: transaction)
                .filter(\.$phone == request.phone)
                .filter(\.$status == Enrollment.Status.active.rawValue)
                .all()
            if active.contains(where: { $0.$contract.id == contractID }) { return .alreadyEnrolled }
            if active.count >= maxContractsPerPhone { return .limitReached }
            let enrollment = Enrollment()
            enrollment.phone = request.phone
            enrollment.$contract.id = contractID
            enrollment.holderName = request.holderName
            enrollment.channel = request.channel.rawValue
            enrollment.status = Enrollment.Status.active.rawValue
            enrollment.consecutiveFailedPeriods = 0
            enrollment.createdAt = now
            enrollment.updatedAt = now
            try await enrollment.create(on: transaction)
            return .enrolled
        }
    }

    /// Active enrollments of a number, with the contract's masked address.
    func active(phone: String) async throws -> [EnrollmentSummary] {
        try await Enrollment.query(on: database)
            .filter(\.$phone == phone)
            .filter(\.$status == Enrollment.Status.active.rawValue)
            .with(\.$contract)
            .sort(\.$createdAt)
            .all()
            .map { EnrollmentSummary(contractNumber: $0.contract.contractNumber, maskedAddress: Masking.address($0.contract.address),
                                  billChannels: $0.contract.billChannelList) }
    }

    /// Ends an enrollment at the customer's request.
    func remove(phone: String, contractNumber: String) async throws -> Bool {
        guard let contract = try await Contract.query(on: database).filter(\.$contractNumber == contractNumber).first(),
              let contractID = contract.id
        else { return false }
        let now = clock.now()
        let rows = try await database.sql.update(Enrollment.schema)
            .set("status", to: SQLBind(Enrollment.Status.removed.rawValue))
            .set("ended_at", to: SQLBind(now))
            .set("end_reason", to: SQLBind("eliminado por el cliente"))
            .set("updated_at", to: SQLBind(now))
            .where("phone", .equal, SQLBind(phone))
            .where("contract_id", .equal, SQLBind(contractID))
            .where("status", .equal, SQLBind(Enrollment.Status.active.rawValue))
            .returning("id")
            .all()
        return !rows.isEmpty
    }
}
