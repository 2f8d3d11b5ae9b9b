import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit

/// Prepaid meters and their recharges, from `ema import prepaid`. A recharge's PIN is what the
/// customer types into the meter: it is kept sealed (AES-GCM under a platform key) and opened
/// only for whoever proved the meter's registered mobile.
enum PrepaidMeters {
    static let schema = "prepaid_meters"
}

enum PrepaidRecharges {
    static let schema = "prepaid_recharges"
}

struct PrepaidStore {
    static let meters = PrepaidMeters.schema
    static let recharges = PrepaidRecharges.schema
    /// Read from the database each time (prepaid lookups are few): a process-wide cache would
    /// mix the keys of two applications in one process, as the tests run them.
    static var key: PlatformKey { PlatformKey(name: "prepago-pin") }

    let database: any Database

    struct Meter {
        let id: UUID
        let number: String
        let contractID: UUID
        let service: PrepaidRow.Service
        let mobile: String
    }

    struct Recharge {
        let rechargeID: String
        let at: String
        let amountCOP: Int64
        let units: String
        let pin: String
    }

    /// Upserts a batch: its meters (by number), then its recharges (by id), PINs sealed.
    func upsert(_ rows: [PrepaidRow], contractIDs: [String: UUID], now: Date) async throws -> UpsertCounts {
        try await database.writeTransaction { tx in
            let sql = tx.sql
            var meters: [String: PrepaidRow] = [:]
            for row in rows { meters[row.meterNumber] = row }
            let insert = sql.insert(into: Self.meters).columns("id", "meter_number", "contract_id", "service", "mobile", "updated_at")
            for row in meters.values {
                insert.values(SQLBind(UUID()), SQLBind(row.meterNumber), SQLBind(contractIDs[row.contractNumber]), SQLBind(row.service.rawValue),
                              SQLBind(row.mobile), SQLBind(now))
            }
            try await insert.onConflict(with: ["meter_number"]) {
                $0.set(excludedValueOf: "contract_id").set(excludedValueOf: "service").set(excludedValueOf: "mobile").set(excludedValueOf: "updated_at")
            }.run()
            let ids = Dictionary(uniqueKeysWithValues: try await sql.select().columns("id", "meter_number").from(Self.meters)
                .where("meter_number", .in, SQLBind.group(Array(meters.keys))).all()
                .map { (try $0.decode(column: "meter_number", as: String.self), try $0.decode(column: "id", as: UUID.self)) })
            let existing = Set(try await sql.select().column("recharge_id").from(Self.recharges)
                .where("recharge_id", .in, SQLBind.group(rows.map(\.rechargeID))).all().map { try $0.decode(column: "recharge_id", as: String.self) })
            let key = try await Self.key.value(tx)
            let recharges = sql.insert(into: Self.recharges).columns("id", "recharge_id", "meter_id", "recharged_at", "amount_cop", "units", "pin_sealed")
            for row in rows {
                let sealed = try AES.GCM.seal(Data(row.pin.utf8), using: key).combined ?? Data()
                recharges.values(SQLBind(UUID()), SQLBind(row.rechargeID), SQLBind(ids[row.meterNumber]), SQLBind(row.rechargedAt),
                                 SQLBind(row.amountCOP), SQLBind(row.units), SQLBind(sealed))
            }
            try await recharges.onConflict(with: ["recharge_id"]) {
                $0.set(excludedValueOf: "meter_id").set(excludedValueOf: "recharged_at").set(excludedValueOf: "amount_cop")
                    .set(excludedValueOf: "units").set(excludedValueOf: "pin_sealed")
            }.run()
            return UpsertCounts(new: rows.count - existing.count, updated: existing.count)
        }
    }

    func meter(number: String) async throws -> Meter? {
        try await meter(where: "meter_number", equals: number)
    }

    /// The meters registered to `mobile` (E.164), by number.
    func meters(mobile: String) async throws -> [Meter] {
        var meters: [Meter] = []
        for row in try await database.sql.select().column("meter_number").from(Self.meters).where("mobile", .equal, SQLBind(mobile))
            .orderBy("meter_number").limit(10).all() {
            if let meter = try await meter(number: try row.decode(column: "meter_number", as: String.self)) { meters.append(meter) }
        }
        return meters
    }

    func meter(id: UUID) async throws -> Meter? {
        try await meter(where: "id", equals: id)
    }

    private func meter(where column: String, equals value: some Encodable & Sendable) async throws -> Meter? {
        guard let row = try await database.sql.select().columns("id", "meter_number", "contract_id", "service", "mobile").from(Self.meters)
            .where(column, .equal, SQLBind(value)).first() else { return nil }
        return Meter(id: try row.decode(column: "id", as: UUID.self), number: try row.decode(column: "meter_number", as: String.self),
                     contractID: try row.decode(column: "contract_id", as: UUID.self),
                     service: PrepaidRow.Service(rawValue: try row.decode(column: "service", as: String.self)) ?? .energia,
                     mobile: try row.decode(column: "mobile", as: String.self))
    }

    /// The meter's recharges, newest first (`limit` of them), PINs opened.
    func recharges(of meter: Meter, limit: Int = 10) async throws -> [Recharge] {
        let key = try await Self.key.value(database)
        return try await database.sql.select().columns("recharge_id", "recharged_at", "amount_cop", "units", "pin_sealed").from(Self.recharges)
            .where("meter_id", .equal, SQLBind(meter.id)).orderBy("recharged_at", .descending).limit(limit).all().map {
                let box = try AES.GCM.SealedBox(combined: try $0.decode(column: "pin_sealed", as: Data.self))
                return Recharge(rechargeID: try $0.decode(column: "recharge_id", as: String.self), at: try $0.decode(column: "recharged_at", as: String.self),
                                amountCOP: try $0.decode(column: "amount_cop", as: Int64.self), units: try $0.decode(column: "units", as: String.self),
                                pin: String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self))
            }
    }
}

struct CreatePrepaid: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PrepaidStore.meters)
            .field("id", .uuid, .identifier(auto: false))
            .field("meter_number", .string, .required)
            .field("contract_id", .uuid, .required, .references(Contract.schema, "id", onDelete: .restrict))
            .field("service", .string, .required)
            .field("mobile", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "meter_number")
            .create()
        try await database.schema(PrepaidStore.recharges)
            .field("id", .uuid, .identifier(auto: false))
            .field("recharge_id", .string, .required)
            .field("meter_id", .uuid, .required, .references(PrepaidStore.meters, "id", onDelete: .cascade))
            .field("recharged_at", .string, .required)
            .field("amount_cop", .int64, .required)
            .field("units", .string, .required)
            .field("pin_sealed", .data, .required)
            .unique(on: "recharge_id")
            .create()
        try await database.sql.create(index: "prepaid_recharges_meter").on(PrepaidStore.recharges).column("meter_id").column("recharged_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PrepaidStore.recharges).delete()
        try await database.schema(PrepaidStore.meters).delete()
    }
}
