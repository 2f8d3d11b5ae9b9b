import EmaCore
import Fluent
import Foundation
import SQLKit

/// How an upsert changed the table.
public struct UpsertCounts: Sendable, Equatable {
    public var new = 0
    public var updated = 0
    public var unchanged = 0

    public init(new: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.new = new
        self.updated = updated
        self.unchanged = unchanged
    }

    public var total: Int { new + updated + unchanged }

    /// "50 nuevos, 0 actualizados, 0 sin cambios".
    public var spanishSummary: String { "\(new) nuevos, \(updated) actualizados, \(unchanged) sin cambios" }

    static func += (lhs: inout UpsertCounts, rhs: UpsertCounts) {
        lhs.new += rhs.new
        lhs.updated += rhs.updated
        lhs.unchanged += rhs.unchanged
    }
}

/// Set-based writes of contracts and invoices, in batches. One batch is one short transaction:
/// read the existing rows by key, then one multi-row `INSERT … ON CONFLICT DO UPDATE` for the
/// new and changed rows only, so unchanged rows cost no write and the counts are exact.
struct BillingStore {
    let database: any Database
    let now: Date

    /// Rows per statement: well under SQLite's 32,766 bound parameters.
    static let batchSize = 1_000

    func upsertContracts(_ rows: [ContractRow]) async throws -> UpsertCounts {
        try await database.writeTransaction { transaction in
            let sql = transaction.sql
            let existing = try await sql.select()
                .columns("contract_number", "holder_name", "address", "municipality", "segment", "services", "status", "bill_channels")
                .from(Contract.schema)
                .where("contract_number", .in, rows.map(\.contractNumber))
                .all()
            var stored: [String: [String]] = [:]
            for row in existing {
                let values = try ["holder_name", "address", "municipality", "segment", "services", "status", "bill_channels"].map {
                    try row.decode(column: $0, as: String.self)
                }
                stored[try row.decode(column: "contract_number", as: String.self)] = values
            }
            var counts = UpsertCounts()
            let insert = sql.insert(into: Contract.schema)
                .columns("id", "contract_number", "holder_name", "address", "municipality", "segment", "services", "status", "bill_channels", "paper_invoice", "created_at", "updated_at")
            var writes = 0
            for row in rows {
                let values = [row.holderName, row.address, row.municipality, row.segment.rawValue, UtilityService.encode(row.services), row.status.rawValue,
                              BillChannel.encode(row.billChannels)]
                switch stored[row.contractNumber] {
                case .some(values): counts.unchanged += 1; continue
                case .some: counts.updated += 1
                case .none: counts.new += 1
                }
                writes += 1
                insert.values(
                    SQLBind(UUID()), SQLBind(row.contractNumber), SQLBind(values[0]), SQLBind(values[1]), SQLBind(values[2]),
                    SQLBind(values[3]), SQLBind(values[4]), SQLBind(values[5]), SQLBind(values[6]), SQLBind(false), SQLBind(now), SQLBind(now)
                )
            }
            guard writes > 0 else { return counts }
            // paper_invoice and created_at belong to Ema, not to the billing system: kept on update.
            try await insert.onConflict(with: ["contract_number"]) { update in
                for column in ["holder_name", "address", "municipality", "segment", "services", "status", "bill_channels", "updated_at"] {
                    update.set(excludedValueOf: column)
                }
                return update
            }.run()
            return counts
        }
    }

    /// Contract ids by number, for the numbers that exist.
    func contractIDs(for numbers: some Collection<String>) async throws -> [String: UUID] {
        let sql = database.sql
        var ids: [String: UUID] = [:]
        for row in try await sql.select().columns("id", "contract_number").from(Contract.schema)
            .where("contract_number", .in, Array(Set(numbers))).all() {
            ids[try row.decode(column: "contract_number", as: String.self)] = try row.decode(column: "id", as: UUID.self)
        }
        return ids
    }

    /// Upserts bills whose contracts exist (`contractIDs` must hold every row's contract).
    func upsertInvoices(_ rows: [InvoiceRow], contractIDs: [String: UUID]) async throws -> UpsertCounts {
        try await database.writeTransaction { transaction in
            let sql = transaction.sql
            let existing = try await sql.select()
                .columns("invoice_number", "contract_id", "period", "issue_date", "due_date", "amount_cop")
                .from(Invoice.schema)
                .where("invoice_number", .in, rows.map(\.invoiceNumber))
                .all()
            struct Stored: Equatable { let contract: UUID; let period, issue, due: String; let amount: Int64 }
            var stored: [String: Stored] = [:]
            for row in existing {
                stored[try row.decode(column: "invoice_number", as: String.self)] = Stored(
                    contract: try row.decode(column: "contract_id", as: UUID.self),
                    period: try row.decode(column: "period", as: String.self),
                    issue: try row.decode(column: "issue_date", as: String.self),
                    due: try row.decode(column: "due_date", as: String.self),
                    amount: try row.decode(column: "amount_cop", as: Int64.self)
                )
            }
            var counts = UpsertCounts()
            let insert = sql.insert(into: Invoice.schema)
                .columns("id", "invoice_number", "contract_id", "period", "issue_date", "due_date", "amount_cop", "created_at", "updated_at")
            var writes = 0
            for row in rows {
                guard let contractID = contractIDs[row.contractNumber] else {
                    throw BillingError.contractNotFound(row.contractNumber)
                }
                let value = Stored(contract: contractID, period: row.period.description, issue: row.issueDate.description, due: row.dueDate.description, amount: row.amountCOP)
                switch stored[row.invoiceNumber] {
                case .some(value): counts.unchanged += 1; continue
                case .some: counts.updated += 1
                case .none: counts.new += 1
                }
                writes += 1
                insert.values(
                    SQLBind(UUID()), SQLBind(row.invoiceNumber), SQLBind(contractID), SQLBind(value.period),
                    SQLBind(value.issue), SQLBind(value.due), SQLBind(value.amount), SQLBind(now), SQLBind(now)
                )
            }
            guard writes > 0 else { return counts }
            try await insert.onConflict(with: ["invoice_number"]) { update in
                for column in ["contract_id", "period", "issue_date", "due_date", "amount_cop", "updated_at"] {
                    update.set(excludedValueOf: column)
                }
                return update
            }.run()
            return counts
        }
    }
}
