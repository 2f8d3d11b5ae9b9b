import Fluent
import SQLKit

/// Walk-ins (issue 23): a turn given at the office carries its number on the screen (`ticket`,
/// `G-017`), when the customer got it (`arrived_at`), and the preferential care they asked for;
/// every turn can carry the adviser's word on whether the need was solved in the visit
/// (`resolved`). The numbers count per office, day and letter in `walk_in_counters`, raised by
/// one conditional statement so two screens never hand out the same number.
struct AddWalkInsToTurns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OfficeTurn.schema).field("walk_in", .bool, .required, .sql(.default(false))).update()
        try await database.schema(OfficeTurn.schema).field("ticket", .string).update()
        try await database.schema(OfficeTurn.schema).field("arrived_at", .datetime).update()
        try await database.schema(OfficeTurn.schema).field("preferential", .string).update()
        try await database.schema(OfficeTurn.schema).field("resolved", .bool).update()
        try await database.sql.raw("CREATE TABLE walk_in_counters (office VARCHAR(120) NOT NULL, day VARCHAR(10) NOT NULL, letter VARCHAR(1) NOT NULL, issued INTEGER NOT NULL, PRIMARY KEY (office, day, letter))").run()
        // Kiosks of an office enabled before this instant give no more turns (a lost or copied
        // device is turned off from the office screen).
        try await database.sql.raw("CREATE TABLE turn_kiosk_revocations (office VARCHAR(120) PRIMARY KEY, revoked_at BIGINT NOT NULL)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE turn_kiosk_revocations").run()
        try await database.sql.raw("DROP TABLE walk_in_counters").run()
        for column in ["walk_in", "ticket", "arrived_at", "preferential", "resolved"] {
            try await database.schema(OfficeTurn.schema).deleteField(.string(column)).update()
        }
    }
}
