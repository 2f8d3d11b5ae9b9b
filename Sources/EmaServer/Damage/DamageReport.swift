import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A damage reported by a customer (7x24): numbered `DAN-YYYY-NNNNNNN`, queued for the crews.
final class DamageReportRecord: Model, @unchecked Sendable {
    static let schema = "damage_reports"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "service") var service: String
    @OptionalField(key: "address") var address: String?
    @OptionalField(key: "latitude") var latitude: Double?
    @OptionalField(key: "longitude") var longitude: Double?
    @Field(key: "description") var description: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "hazard") var hazard: String?
    @Field(key: "channel") var channel: String
    @Field(key: "status") var status: DamageStatus
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: String?

    init() {}
}

struct CreateDamageReports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DamageReportRecord.schema)
            .id()
            .field("number", .string, .required)
            .field("service", .string, .required)
            .field("address", .string)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("description", .string, .required)
            .field("phone", .string)
            .field("hazard", .string)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .string)
            .unique(on: "number")
            .create()
        let sql = database.sql
        try await sql.raw("CREATE TABLE damage_sequences (year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL)").run()
        try await sql.raw("CREATE INDEX damage_reports_open ON damage_reports (created_at) WHERE status <> 'resuelto'").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE damage_sequences").run()
        try await database.schema(DamageReportRecord.schema).delete()
    }
}
