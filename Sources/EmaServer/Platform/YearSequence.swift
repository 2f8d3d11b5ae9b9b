import Fluent
import SQLKit

/// Numbers that restart every year (radicados, damage reports), from a table
/// `(year INTEGER PRIMARY KEY, last_number INTEGER)`. Called inside the transaction that stores
/// the numbered row: the year's row stays locked until commit, so two rows never share a
/// number, and a rollback gives the number back (no gaps).
enum YearSequence {
    static func next(in table: String, year: Int, on database: any Database) async throws -> Int {
        let row = try await database.sql.raw("""
            INSERT INTO \(ident: table) (year, last_number) VALUES (\(bind: year), 1)
            ON CONFLICT (year) DO UPDATE SET last_number = \(ident: table).last_number + 1
            RETURNING last_number
            """).first()
        guard let row else { throw PlatformError.databaseUnavailable }
        return try row.decode(column: "last_number", as: Int.self)
    }
}
