import Fluent
import Foundation
import Vapor

/// One row per node, rewritten by each `GET /health`: proof that the database takes writes.
enum HealthCheck {
    static let schema = "health_checks"
}

struct CreateHealthChecks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(HealthCheck.schema)
            .field("node", .string, .identifier(auto: false))
            .field("checked_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(HealthCheck.schema).delete()
    }
}

extension Application {
    private struct NodeIDKey: StorageKey { typealias Value = String }

    /// This process's name among the nodes: the host name and a random suffix made at start.
    var nodeID: String {
        if let id = storage[NodeIDKey.self] { return id }
        let id = "\(ProcessInfo.processInfo.hostName.prefix(40))-\(SecureRandom.hex(4))"
        storage[NodeIDKey.self] = id
        return id
    }
}
