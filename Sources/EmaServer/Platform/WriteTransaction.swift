import Fluent
import SQLKit

extension Database {
    /// This database in SQL: both drivers Ema runs on (SQLite, PostgreSQL) are SQL databases, so
    /// the cast cannot fail; one place says so instead of a cast at every query.
    public var sql: any SQLDatabase { self as! any SQLDatabase }

    /// A transaction for work that reads and then writes (a conversation's turn). On SQLite a
    /// transaction starts as a reader and, when another connection committed since its first
    /// read, fails at once with «database is locked» as it tries to write (the busy timeout does
    /// not apply); so there the first statement takes the write lock (a no-op update), and other
    /// writers wait their turn. On PostgreSQL it is an ordinary transaction. Inside a transaction
    /// already, `body` runs in it. What `body` asks for `AfterCommit` runs once it committed.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if inTransaction { return try await body(self) }
        let after = AfterCommit.Actions()
        let result = try await transaction { transaction in
            if let sql = transaction as? any SQLDatabase, sql.dialect.name == "sqlite" {
                try await sql.raw("UPDATE health_checks SET node = node WHERE 1 = 0").run()
            }
            // Set here: Fluent may run this closure in a task of its own.
            return try await AfterCommit.$actions.withValue(after) { try await body(transaction) }
        }
        await after.run()
        return result
    }
}
