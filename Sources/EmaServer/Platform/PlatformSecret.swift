import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Random keys the application makes for itself the first time it needs them and keeps in the
/// database, so every node signs and checks with the same key, across restarts.
final class PlatformSecret: Model, @unchecked Sendable {
    static let schema = "platform_secrets"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: Data

    init() {}

    /// The key called `name`, created (32 random bytes) on first use; two nodes creating it at
    /// once agree on the first one stored.
    static func value(named name: String, database: any Database) async throws -> Data {
        if let existing = try await PlatformSecret.find(name, on: database) { return existing.value }
        let fresh = Data(SecureRandom.bytes(32))
        try await database.sql.insert(into: schema)
            .columns("name", "value").values(SQLBind(name), SQLBind(fresh))
            .ignoringConflicts(with: ["name"]).run()
        guard let stored = try await PlatformSecret.find(name, on: database) else { throw PlatformError.databaseUnavailable }
        return stored.value
    }
}

/// One platform key as a `SymmetricKey`, read from `platform_secrets` once per process.
final class PlatformKey: Sendable {
    let name: String
    private let cached = NIOLockedValueBox<SymmetricKey?>(nil)

    init(name: String) {
        self.name = name
    }

    func value(_ database: any Database) async throws -> SymmetricKey {
        if let key = cached.withLockedValue({ $0 }) { return key }
        let key = SymmetricKey(data: try await PlatformSecret.value(named: name, database: database))
        // Made inside a caller's transaction, the key exists only if that transaction commits:
        // it is kept for the process once it did (a rolled-back key sealed nothing that stayed).
        if database.inTransaction {
            AfterCommit.actions?.add { [cached] in cached.withLockedValue { $0 = $0 ?? key } }
        } else {
            cached.withLockedValue { $0 = key }
        }
        return key
    }
}

struct CreatePlatformSecrets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PlatformSecret.schema)
            .field("name", .string, .identifier(auto: false))
            .field("value", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PlatformSecret.schema).delete()
    }
}
