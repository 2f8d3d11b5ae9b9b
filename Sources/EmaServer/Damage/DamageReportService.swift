import EmaCore
import Fluent
import Foundation

/// Records damage reports with a yearly sequence (no gaps, taken in the report's transaction).
struct DamageReportService {
    let database: any Database
    let clock: AppClock

    func report(_ filing: DamageFiling) async throws -> String {
        let description = filing.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (5...2_000).contains(description.count) else { throw DamageError.descriptionLength }
        let address = filing.address?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300).description
        guard (address?.count ?? 0) >= 6 || filing.location != nil else { throw DamageError.placeRequired }
        let now = clock.now()
        let year = CivilDate(bogotaAt: now.timeIntervalSince1970).year
        let row = DamageReportRecord()
        row.service = filing.service.rawValue
        row.address = address.flatMap { $0.isEmpty ? nil : $0 }
        row.latitude = filing.location?.latitude
        row.longitude = filing.location?.longitude
        row.description = description
        row.phone = filing.phone
        row.hazard = filing.hazard?.rawValue
        row.channel = filing.channel.rawValue
        row.status = .received
        row.createdAt = now
        row.updatedAt = now
        return try await database.writeTransaction { tx in
            let sequence = try await YearSequence.next(in: "damage_sequences", year: year, on: tx)
            row.number = "DAN-\(year)-" + String(format: "%07d", sequence)
            try await row.create(on: tx)
            return row.number
        }
    }

    /// The crews' queue: open reports (or the resolved ones), hazards first, newest first.
    func queue(resolved: Bool, limit: Int = 200) async throws -> [DamageReportRecord] {
        var query = DamageReportRecord.query(on: database)
        query = resolved ? query.filter(\.$status == .resolved) : query.filter(\.$status != .resolved)
        return try await query.sort(\.$hazard, .descending).sort(\.$createdAt, .descending).limit(limit).all()
    }

    /// A report by its number (`DAN-2026-0000123`, any case and spaces), for the public lookup.
    func find(number: String) async throws -> DamageReportRecord? {
        let normalized = number.uppercased().filter { !$0.isWhitespace }
        guard normalized.count <= 20, normalized.hasPrefix("DAN-") else { return nil }
        return try await DamageReportRecord.query(on: database).filter(\.$number == normalized).first()
    }

    /// Moves a report to `status`, recording who did it.
    func move(_ number: String, to status: DamageStatus, by staff: String) async throws {
        guard let report = try await DamageReportRecord.query(on: database).filter(\.$number == number).first() else { throw DamageError.notFound }
        report.status = status
        report.updatedAt = clock.now()
        report.updatedBy = staff
        try await report.save(on: database)
    }
}
