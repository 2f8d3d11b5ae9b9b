import EmaCore
import Fluent
import Foundation
import SQLKit

/// The consent ledger (`consent_records`, owned by the assistant): every authorization, acceptance,
/// refusal and withdrawal with its text's version and hash. What other capabilities may ask of
/// it: whether a number's latest answer to the promotions question is yes, and the numbers whose
/// answer is (a promotions campaign reaches only them).
struct ConsentLedger {
    let database: any Database

    func promotionsGranted(phone: String) async throws -> Bool {
        try await ConsentRecord.query(on: database).filter(\.$phone == phone)
            .filter(\.$kind == ConsentEvidence.Kind.promotions.rawValue)
            .sort(\.$createdAt, .descending).first()?.granted ?? false
    }

    /// Of `phones`, the ones whose latest promotions answer is yes.
    func promotionsGranted(among phones: [String]) async throws -> Set<String> {
        guard !phones.isEmpty else { return [] }
        let rows = try await database.sql.raw("""
            SELECT r.phone, r.granted FROM \(ident: ConsentRecord.schema) AS r
            WHERE r.kind = \(bind: ConsentEvidence.Kind.promotions.rawValue) AND r.phone IN (\(binds: phones))
              AND r.created_at = (SELECT MAX(created_at) FROM \(ident: ConsentRecord.schema) AS l
                                  WHERE l.kind = r.kind AND l.phone = r.phone)
            """).all()
        return Set(try rows.filter { try $0.decode(column: "granted", as: Bool.self) }.map { try $0.decode(column: "phone", as: String.self) })
    }

    /// How many numbers' latest promotions answer is yes.
    func promotionsAudienceCount() async throws -> Int {
        try await database.sql.raw("""
            SELECT COUNT(DISTINCT r.phone) AS n FROM \(ident: ConsentRecord.schema) AS r
            WHERE r.kind = \(bind: ConsentEvidence.Kind.promotions.rawValue) AND r.granted = \(bind: true)
              AND r.created_at = (SELECT MAX(created_at) FROM \(ident: ConsentRecord.schema) AS l
                                  WHERE l.kind = r.kind AND l.phone = r.phone)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The numbers whose latest promotions answer is yes, in order, `limit` after `after`.
    func promotionsAudience(after: String, limit: Int) async throws -> [String] {
        try await database.sql.raw("""
            SELECT r.phone FROM \(ident: ConsentRecord.schema) AS r
            WHERE r.kind = \(bind: ConsentEvidence.Kind.promotions.rawValue) AND r.phone > \(bind: after) AND r.granted = \(bind: true)
              AND r.created_at = (SELECT MAX(created_at) FROM \(ident: ConsentRecord.schema) AS l
                                  WHERE l.kind = r.kind AND l.phone = r.phone)
            GROUP BY r.phone ORDER BY r.phone LIMIT \(literal: limit)
            """).all().map { try $0.decode(column: "phone", as: String.self) }
    }
}

/// Looks the promotions answers up by number (the audience of a campaign pages through them).
struct AddConsentPhoneIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw("CREATE INDEX consent_records_kind_phone ON consent_records (kind, phone, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX consent_records_kind_phone").run()
    }
}
