import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// SOMOS restructurings («restructuración / abono a diferidos»): accepted on `/somos` by the
/// holder who proved the card's mobile, with the proof of the text accepted. One in force per
/// card. Without an abono it is active at once; with one, it waits until the card's import brings
/// a payment of at least the abono on or after the acceptance. Agents see and cancel them; the
/// card system gets them with `ema somos restructurings --period`.
enum SomosRestructurings {
    static let schema = "somos_restructurings"

    enum Status: String, CaseIterable {
        case pending = "pendiente_abono"
        case active = "activa"
        case cancelled = "cancelada"

        var title: String {
            switch self {
            case .pending: "Esperando el abono"
            case .active: "Activa"
            case .cancelled: "Cancelada"
            }
        }
    }

    struct Row: Decodable {
        let id: UUID
        let number: String
        let card_id: UUID
        let last4: String
        let balance_cop: Int64
        let abono_cop: Int64
        let instalments: Int
        let monthly_rate: Double
        let instalment_cop: Int64
        let text_sha256: String
        let accepted_at: Date
        let accepted_on: String
        let status: String
        let reason: String?
    }

    enum Failure: Error, Equatable {
        /// The card already has one in force (its number).
        case inForce(String)
        case notFound
        case notCancellable
    }

    /// Keeps an acceptance; `abono` 0 makes it active now.
    static func accept(card: SomosStore.Card, plan: AgreementPlan, text: String, channel: String, now: Date, on database: any Database) async throws -> String {
        let number = "RS-" + SecureRandom.readable(8)
        let status: Status = plan.downPayment > 0 ? .pending : .active
        do {
            try await database.sql.insert(into: schema)
                .columns("id", "number", "card_id", "last4", "balance_cop", "abono_cop", "instalments", "monthly_rate", "instalment_cop",
                         "text_sha256", "channel", "accepted_at", "accepted_on", "status", "activated_at")
                .values(SQLBind(UUID()), SQLBind(number), SQLBind(card.id), SQLBind(card.last4), SQLBind(plan.balance), SQLBind(plan.downPayment),
                        SQLBind(plan.instalments), SQLBind(plan.monthlyRatePercent), SQLBind(plan.instalment), SQLBind(Hex.sha256(text)), SQLBind(channel),
                        SQLBind(now), SQLBind(CivilDate(bogotaAt: now.timeIntervalSince1970).description), SQLBind(status.rawValue),
                        status == .active ? SQLBind(now) as any SQLExpression : SQLLiteral.null)
                .run()
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            throw Failure.inForce(try await inForce(card: card.id, on: database)?.number ?? "")
        }
        return number
    }

    static let columns: SQLQueryString = """
        id, number, card_id, last4, balance_cop, abono_cop, instalments, monthly_rate, instalment_cop, text_sha256, accepted_at, accepted_on, status, reason
        """

    static func inForce(card: UUID, on database: any Database) async throws -> Row? {
        try await database.sql.raw("""
            SELECT \(columns) FROM \(ident: schema) WHERE card_id = \(bind: card) AND status IN ('pendiente_abono', 'activa')
            """).first(decoding: Row.self)
    }

    static func latest(limit: Int = 200, on database: any Database) async throws -> [Row] {
        try await database.sql.raw("SELECT \(columns) FROM \(ident: schema) ORDER BY accepted_at DESC LIMIT \(literal: limit)").all(decoding: Row.self)
    }

    /// Activates the pending ones whose card shows a payment of at least the abono since the
    /// day it was accepted (run after every SOMOS import, in its transaction).
    static func activatePaid(now: Date, on database: any Database) async throws -> Int {
        try await database.sql.raw("""
            UPDATE \(ident: schema) SET status = 'activa', activated_at = \(bind: now)
            WHERE status = 'pendiente_abono' AND EXISTS (
                SELECT 1 FROM \(ident: SomosMovements.schema) AS m WHERE m.card_id = \(ident: schema).card_id AND m.kind = 'pago'
                  AND m.date >= \(ident: schema).accepted_on AND ABS(m.amount_cop) >= \(ident: schema).abono_cop)
            RETURNING id
            """).all().count
    }

    /// Cancels one in force, with the agent's reason.
    static func cancel(number: String, reason: String, now: Date, on database: any Database) async throws {
        let changed = try await database.sql.raw("""
            UPDATE \(ident: schema) SET status = 'cancelada', reason = \(bind: reason), cancelled_at = \(bind: now)
            WHERE number = \(bind: number) AND status IN ('pendiente_abono', 'activa') RETURNING id
            """).all().count
        if changed == 0 {
            let exists = try await database.sql.select().column("id").from(schema).where("number", .equal, SQLBind(number)).first() != nil
            throw exists ? Failure.notCancellable : Failure.notFound
        }
    }

    /// The card system's file of a month: the restructurings activated in it, each with the
    /// card's latest movement id (the card system's key; Ema keeps no card number).
    static func export(period: BillingPeriod, on database: any Database) async throws -> String {
        let (start, end) = (CivilDate(period.description + "-01")!.startInBogota, CivilDate(period.next.description + "-01")!.startInBogota)
        struct Line: Decodable {
            let number: String; let last4: String; let movement: String?; let accepted_on: String
            let balance_cop: Int64; let abono_cop: Int64; let instalments: Int; let monthly_rate: Double; let instalment_cop: Int64
        }
        let lines = try await database.sql.raw("""
            SELECT r.number, r.last4, r.accepted_on, r.balance_cop, r.abono_cop, r.instalments, r.monthly_rate, r.instalment_cop,
                   (SELECT m.movement_id FROM \(ident: SomosMovements.schema) AS m WHERE m.card_id = r.card_id ORDER BY m.date DESC, m.movement_id DESC LIMIT 1) AS movement
            FROM \(ident: schema) AS r
            WHERE r.status = 'activa' AND r.activated_at >= \(bind: start) AND r.activated_at < \(bind: end) ORDER BY r.number
            """).all(decoding: Line.self)
        var csv = "number,card_last4,last_movement_id,accepted_on,balance_cop,abono_cop,instalments,monthly_rate_percent,instalment_cop\n"
        for line in lines {
            csv += CSVWriter.line([line.number, line.last4, line.movement ?? "", line.accepted_on, String(line.balance_cop), String(line.abono_cop),
                                   String(line.instalments), String(format: "%.2f", line.monthly_rate), String(line.instalment_cop)], terminator: "\n")
        }
        return csv
    }
}

struct CreateSomosRestructurings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SomosRestructurings.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("number", .string, .required)
            .field("card_id", .uuid, .required, .references(SomosCards.schema, "id", onDelete: .restrict))
            .field("last4", .string, .required)
            .field("balance_cop", .int64, .required)
            .field("abono_cop", .int64, .required)
            .field("instalments", .int, .required)
            .field("monthly_rate", .double, .required)
            .field("instalment_cop", .int64, .required)
            .field("text_sha256", .string, .required)
            .field("channel", .string, .required)
            .field("accepted_at", .datetime, .required)
            .field("accepted_on", .string, .required)
            .field("status", .string, .required)
            .field("activated_at", .datetime)
            .field("cancelled_at", .datetime)
            .field("reason", .string)
            .unique(on: "number")
            .create()
        // One in force per card: two acceptances at once make one.
        try await database.sql.raw("""
            CREATE UNIQUE INDEX somos_restructurings_in_force ON somos_restructurings (card_id) WHERE status IN ('pendiente_abono', 'activa')
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SomosRestructurings.schema).delete()
    }
}
