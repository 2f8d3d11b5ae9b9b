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
    /// recibido → en_atencion → resuelto
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: String?

    init() {}

    static let statuses: [(id: String, title: String)] = [("recibido", "Recibido"), ("en_atencion", "En atención"), ("resuelto", "Resuelto")]
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

enum DamageError: EmaError {
    case descriptionLength
    case placeRequired
    case unknownService
    case invalidPhone
    case notFound
    case unknownStatus

    var status: HTTPResponseStatus { self == .notFound ? .notFound : .badRequest }

    var code: String {
        switch self {
        case .descriptionLength: "description_length"
        case .placeRequired: "damage_place_required"
        case .unknownService: "unknown_service"
        case .invalidPhone: "invalid_phone"
        case .notFound: "damage_report_not_found"
        case .unknownStatus: "unknown_status"
        }
    }

    var reason: String {
        switch self {
        case .descriptionLength: "Cuéntanos qué pasa con el servicio (entre 5 y 2.000 caracteres)."
        case .placeRequired: "Escribe la dirección del daño con el municipio y una referencia, para que la cuadrilla llegue."
        case .unknownService: "Elige el servicio que está fallando."
        case .invalidPhone: "El celular debe ser un número colombiano de 10 dígitos que empiece por 3."
        case .notFound: "No encontramos ese reporte de daño."
        case .unknownStatus: "Elige el estado del reporte de la lista."
        }
    }
}

/// Records damage reports with a yearly sequence (no gaps, taken in the report's transaction).
struct DamageReports {
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
        row.status = "recibido"
        row.createdAt = now
        row.updatedAt = now
        return try await database.writeTransaction { tx in
            let sequence = try await YearSequence.next(in: "damage_sequences", year: year, on: tx)
            row.number = "DAN-\(year)-" + String(format: "%07d", sequence)
            try await row.create(on: tx)
            return row.number
        }
    }
}
