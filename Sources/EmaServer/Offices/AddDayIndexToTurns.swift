import Fluent
import SQLKit

/// The indicators read a month of turns by day, and the office screen today's turns of an
/// office: both walk this index instead of the whole table.
struct AddDayIndexToTurns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw("CREATE INDEX turns_day_office ON turns (day, office)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX turns_day_office").run()
    }
}
