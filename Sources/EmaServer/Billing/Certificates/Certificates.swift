import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Certificates the utility issues (a prepaid meter's recharges, the SOMOS card's statements):
/// each has a verification code printed on its PDF, and what it certified is kept, so anyone
/// holding the paper can check at `/certificados/verificar` that it is genuine and unaltered.
enum Certificates {
    static let schema = "certificates"

    struct Record: Codable {
        struct Line: Codable, Equatable {
            let label: String
            let value: String
        }

        let code: String
        let kind: String
        let title: String
        let issuedAt: Date
        /// What the certificate says, as the verification page shows it (personal data masked).
        let lines: [Line]
    }

    /// `EMA-XXXXX-XXXXX`: ten characters a person can read aloud (no 0/O, 1/I).
    static func newCode() -> String {
        let letters = SecureRandom.readable(10)
        return "EMA-\(letters.prefix(5))-\(letters.suffix(5))"
    }

    /// Stores a certificate and returns its record (with its new code).
    static func issue(kind: String, title: String, lines: [Record.Line], now: Date, on database: any Database) async throws -> Record {
        let record = Record(code: newCode(), kind: kind, title: title, issuedAt: now, lines: lines)
        try await database.sql.insert(into: schema).columns("code", "kind", "title", "lines", "issued_at")
            .values(SQLBind(record.code), SQLBind(kind), SQLBind(title), SQLBind(String(decoding: try JSONEncoder().encode(lines), as: UTF8.self)), SQLBind(now))
            .run()
        return record
    }

    /// The certificate with this code (written with or without dashes, any case).
    static func find(_ typed: String, on database: any Database) async throws -> Record? {
        let letters = typed.uppercased().filter { $0.isLetter || $0.isNumber }
        guard letters.count == 13, letters.hasPrefix("EMA") else { return nil }
        let code = "EMA-\(letters.dropFirst(3).prefix(5))-\(letters.suffix(5))"
        guard let row = try await database.sql.select().columns("code", "kind", "title", "lines", "issued_at").from(schema)
            .where("code", .equal, SQLBind(code)).first() else { return nil }
        return Record(code: code, kind: try row.decode(column: "kind", as: String.self), title: try row.decode(column: "title", as: String.self),
                      issuedAt: try row.decode(column: "issued_at", as: Date.self),
                      lines: try JSONDecoder().decode([Record.Line].self, from: Data(try row.decode(column: "lines", as: String.self).utf8)))
    }

    /// The verification block every certificate PDF ends with.
    static func footer(_ record: Record, publicURL: String, pdf: inout PDFWriter) {
        pdf.rectangle(x: 40, y: 130, width: 515, height: 56, grey: 0.93)
        pdf.text("Código de verificación: \(record.code)", x: 56, y: 164, size: 12, font: .bold)
        pdf.text("Verifica este certificado en \(publicURL)/certificados/verificar", x: 56, y: 146, size: 10)
        pdf.text("Expedido el \(SpanishDateTime.format(record.issuedAt)).", x: 40, y: 106, size: 9)
    }
}

struct CreateCertificates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Certificates.schema)
            .field("code", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("lines", .string, .required)
            .field("issued_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Certificates.schema).delete()
    }
}

/// `/certificados/verificar`: the code printed on a certificate shows what it certified.
struct CertificateController: RouteCollection {
    static let lookups = RateLimit("certificados.verificar", limit: 30, window: 600)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("certificados", "verificar", use: verify)
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        let code: String
        var message: String?
        var certificate: Certificates.Record?
        var issued: String?
    }

    @Sendable
    func verify(request: Request) async throws -> Response {
        let typed = String(((try? request.query.get(String.self, at: "codigo")) ?? "").prefix(30))
        var page = Page(title: "Verificar un certificado · \(try request.utility().shortName)", utility: try request.utility(), code: typed)
        guard !typed.isEmpty else { return try await request.privatePage("certificado-verificar", page) }
        try await request.rateLimits.enforce(Self.lookups, request.clientAddress)
        guard let found = try await Certificates.find(typed, on: request.db) else {
            page.message = "No encontramos un certificado con el código «\(typed)». Revísalo: tiene la forma EMA-XXXXX-XXXXX y está al final del certificado."
            return try await request.privatePage("certificado-verificar", page, status: .notFound)
        }
        page.certificate = found
        page.issued = SpanishDateTime.format(found.issuedAt)
        return try await request.privatePage("certificado-verificar", page)
    }
}
