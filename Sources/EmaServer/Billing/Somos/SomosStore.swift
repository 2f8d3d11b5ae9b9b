import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit

enum SomosCards {
    static let schema = "somos_cards"
}

enum SomosMovements {
    static let schema = "somos_movements"
}

/// SOMOS cards and their movements, from `ema import somos`. Neither the card's number nor the
/// holder's cédula is kept: only their HMAC under a platform key (to find the card when the
/// holder types them) and the card's last four digits.
struct SomosStore {
    static var key: PlatformKey { PlatformKey(name: "somos-identidad") }

    let database: any Database

    struct Card {
        let id: UUID
        let last4: String
        let holderName: String
        let mobile: String
    }

    static func digest(_ text: String, _ key: SymmetricKey) -> String {
        Hex.string(Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
    }

    func upsert(_ rows: [SomosRow], now: Date) async throws -> UpsertCounts {
        try await database.writeTransaction { tx in
            let sql = tx.sql
            let key = try await Self.key.value(tx)
            var cards: [String: SomosRow] = [:]
            for row in rows { cards[row.cardNumber] = row }
            let insert = sql.insert(into: SomosCards.schema).columns("id", "card_hash", "last4", "holder_hash", "holder_name", "mobile", "updated_at")
            for row in cards.values {
                insert.values(SQLBind(UUID()), SQLBind(Self.digest("tarjeta:" + row.cardNumber, key)), SQLBind(String(row.cardNumber.suffix(4))),
                              SQLBind(Self.digest("cedula:" + row.holderID, key)), SQLBind(row.holderName), SQLBind(row.mobile), SQLBind(now))
            }
            try await insert.onConflict(with: ["card_hash"]) {
                $0.set(excludedValueOf: "holder_hash").set(excludedValueOf: "holder_name").set(excludedValueOf: "mobile").set(excludedValueOf: "updated_at")
            }.run()
            let hashes = cards.keys.map { Self.digest("tarjeta:" + $0, key) }
            let ids = Dictionary(uniqueKeysWithValues: try await sql.select().columns("id", "card_hash").from(SomosCards.schema)
                .where("card_hash", .in, SQLBind.group(hashes)).all()
                .map { (try $0.decode(column: "card_hash", as: String.self), try $0.decode(column: "id", as: UUID.self)) })
            let existing = try await sql.select().column("movement_id").from(SomosMovements.schema)
                .where("movement_id", .in, SQLBind.group(rows.map(\.movementID))).all().count
            let movements = sql.insert(into: SomosMovements.schema).columns("id", "movement_id", "card_id", "date", "kind", "amount_cop", "balance_cop")
            for row in rows {
                movements.values(SQLBind(UUID()), SQLBind(row.movementID), SQLBind(ids[Self.digest("tarjeta:" + row.cardNumber, key)]),
                                 SQLBind(row.date.description), SQLBind(row.kind.rawValue), SQLBind(row.amountCOP), SQLBind(row.balanceCOP))
            }
            try await movements.onConflict(with: ["movement_id"]) {
                $0.set(excludedValueOf: "card_id").set(excludedValueOf: "date").set(excludedValueOf: "kind")
                    .set(excludedValueOf: "amount_cop").set(excludedValueOf: "balance_cop")
            }.run()
            _ = try await SomosRestructurings.activatePaid(now: now, on: tx)
            return UpsertCounts(new: rows.count - existing, updated: existing)
        }
    }

    /// The card of this holder (cédula) ending in `last4`.
    func card(holderID: String, last4: String) async throws -> Card? {
        let key = try await Self.key.value(database)
        guard let row = try await database.sql.select().columns("id", "last4", "holder_name", "mobile").from(SomosCards.schema)
            .where("holder_hash", .equal, SQLBind(Self.digest("cedula:" + holderID, key))).where("last4", .equal, SQLBind(last4)).first()
        else { return nil }
        return try Self.card(row)
    }

    func card(id: UUID) async throws -> Card? {
        try await database.sql.select().columns("id", "last4", "holder_name", "mobile").from(SomosCards.schema)
            .where("id", .equal, SQLBind(id)).first().map(Self.card)
    }

    static func card(_ row: any SQLRow) throws -> Card {
        Card(id: try row.decode(column: "id", as: UUID.self), last4: try row.decode(column: "last4", as: String.self),
             holderName: try row.decode(column: "holder_name", as: String.self), mobile: try row.decode(column: "mobile", as: String.self))
    }

    /// The card's movements, oldest first, as rows (number and cédula blank: they are not kept).
    func movements(of card: Card) async throws -> [SomosRow] {
        try await database.sql.select().columns("movement_id", "date", "kind", "amount_cop", "balance_cop").from(SomosMovements.schema)
            .where("card_id", .equal, SQLBind(card.id)).orderBy("date").orderBy("movement_id").all().compactMap { row in
                guard let date = CivilDate(try row.decode(column: "date", as: String.self)),
                      let kind = SomosRow.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
                return SomosRow(cardNumber: "", holderID: "", holderName: card.holderName, mobile: card.mobile,
                                movementID: try row.decode(column: "movement_id", as: String.self), date: date, kind: kind,
                                amountCOP: try row.decode(column: "amount_cop", as: Int64.self), balanceCOP: try row.decode(column: "balance_cop", as: Int64.self))
            }
    }
}

struct CreateSomos: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SomosCards.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("card_hash", .string, .required)
            .field("last4", .string, .required)
            .field("holder_hash", .string, .required)
            .field("holder_name", .string, .required)
            .field("mobile", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "card_hash")
            .create()
        try await database.sql.create(index: "somos_cards_holder").on(SomosCards.schema).column("holder_hash").column("last4").run()
        try await database.schema(SomosMovements.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("movement_id", .string, .required)
            .field("card_id", .uuid, .required, .references(SomosCards.schema, "id", onDelete: .cascade))
            .field("date", .string, .required)
            .field("kind", .string, .required)
            .field("amount_cop", .int64, .required)
            .field("balance_cop", .int64, .required)
            .unique(on: "movement_id")
            .create()
        try await database.sql.create(index: "somos_movements_card").on(SomosMovements.schema).column("card_id").column("date").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SomosMovements.schema).delete()
        try await database.schema(SomosCards.schema).delete()
    }
}
