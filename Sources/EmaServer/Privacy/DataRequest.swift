import Crypto
import Fluent
import Foundation
import SQLKit

/// A holder's request over their personal data (Ley 1581): a *consulta* (to know, 10 business
/// days, extendable 5) or a *reclamo* (to update, rectify, suppress or revoke, 15 business days,
/// extendable 8, marked "reclamo en trámite" within 2). Ema answers most at once; a correction
/// it cannot make waits for the staff.
final class DataRequest: Model, @unchecked Sendable {
    static let schema = "data_requests"

    @ID(key: .id) var id: UUID?
    /// `HD-2026-0000012`
    @Field(key: "code") var code: String
    /// `consulta` or `reclamo`
    @Field(key: "kind") var kind: String
    /// `conocer`, `actualizar`, `rectificar`, `suprimir` or `revocar`
    @Field(key: "right") var right: String
    @Field(key: "channel") var channel: String
    /// The holder's number while the request needs it (a copy to show, an answer to send);
    /// never kept for a suppression.
    @OptionalField(key: "phone") var phone: String?
    /// The number as staff see it (its last two digits).
    @Field(key: "phone_masked") var phoneMasked: String
    /// An HMAC of the number under a platform secret: finds a number's suppression without
    /// keeping the number in any readable form.
    @OptionalField(key: "phone_key") var phoneKey: String?
    /// What the holder asked, in their words (a correction).
    @OptionalField(key: "detail") var detail: String?
    @Field(key: "status") var status: Status
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "received_on") var receivedOn: String
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "extended_due_on") var extendedDueOn: String?
    @OptionalField(key: "in_process_due_on") var inProcessDueOn: String?
    @OptionalField(key: "in_process_at") var inProcessAt: Date?
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answered_by") var answeredBy: String?
    /// The copy's link: its token's SHA-256 and when it stops working.
    @OptionalField(key: "copy_token_hash") var copyTokenHash: String?
    @OptionalField(key: "copy_expires_at") var copyExpiresAt: Date?

    init() {}

    static let rightTitles = ["conocer": "Conocer mis datos", "actualizar": "Actualizar mis datos", "rectificar": "Corregir un dato",
                              "suprimir": "Suprimir mis datos", "revocar": "Revocar la autorización"]
    /// recibido → en_tramite (a reclamo the desk is working on) → respondido.
    enum Status: String, Codable, Sendable {
        case received = "recibido"
        case inProcess = "en_tramite"
        case answered = "respondido"

        var title: String {
            switch self {
            case .received: "Recibida"
            case .inProcess: "Reclamo en trámite"
            case .answered: "Respondida"
            }
        }
    }

    var rightTitle: String { Self.rightTitles[right] ?? right }
    var statusTitle: String { status.title }

    /// The number's HMAC under a platform secret (`phone_key`).
    static func phoneKey(_ phone: String, on database: any Database) async throws -> String {
        let key = SymmetricKey(data: try await PlatformSecret.value(named: "data_request_phones", database: database))
        return Hex.string(HMAC<SHA256>.authenticationCode(for: Data(phone.utf8), using: key))
    }
}

struct CreateDataRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DataRequest.schema)
            .id()
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("right", .string, .required)
            .field("channel", .string, .required)
            .field("phone", .string)
            .field("phone_masked", .string, .required)
            .field("detail", .string)
            .field("status", .string, .required)
            .field("received_at", .datetime, .required)
            .field("received_on", .string, .required)
            .field("due_on", .string, .required)
            .field("extended_due_on", .string)
            .field("in_process_due_on", .string)
            .field("in_process_at", .datetime)
            .field("answer", .string)
            .field("answered_at", .datetime)
            .field("answered_by", .string)
            .field("copy_token_hash", .string)
            .field("copy_expires_at", .datetime)
            .unique(on: "code")
            .create()
        let sql = database.sql
        try await sql.raw("CREATE TABLE data_request_sequences (year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL)").run()
        try await sql.create(index: "data_requests_phone").on(DataRequest.schema).column("phone").run()
        try await sql.create(index: "data_requests_copy").on(DataRequest.schema).column("copy_token_hash").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE data_request_sequences").run()
        try await database.schema(DataRequest.schema).delete()
    }
}

/// The requests of a holder, in their own copy; suppression leaves them without the number.
struct DataRequestHolderRecords: HolderRecords {
    let title = "Solicitudes sobre tus datos personales"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        try await DataRequest.query(on: database).filter(\.$phone == holder.phone).sort(\.$receivedAt).all().map {
            .init(label: "Solicitud \($0.code): \($0.rightTitle.lowercased())", details: ["Recibida el \($0.receivedAt.bogotaStamp) \(byChannel($0.channel)); estado: \($0.statusTitle.lowercased())"])
        }
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        try await database.sql.update(DataRequest.schema)
            .set("phone", to: SQLLiteral.null).set("detail", to: SQLLiteral.null)
            .set("copy_token_hash", to: SQLLiteral.null).set("copy_expires_at", to: SQLLiteral.null)
            .where("phone", .equal, SQLBind(holder.phone)).returning("id").all().count
    }
}

/// The number's HMAC (`phone_key`), and the masked numbers of earlier rows cut to two digits.
struct AddPhoneKeyToDataRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DataRequest.schema).field("phone_key", .string).update()
        for row in try await DataRequest.query(on: database).all() {
            row.phoneMasked = row.phoneMasked.hasPrefix("+57") && row.phoneMasked.count == 13
                ? "+57 ••• ••• ••" + String(row.phoneMasked.suffix(2)) : "•••" + String(row.phoneMasked.suffix(2))
            if let phone = row.phone { row.phoneKey = try await DataRequest.phoneKey(phone, on: database) }
            try await row.save(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DataRequest.schema).deleteField("phone_key").update()
    }
}
