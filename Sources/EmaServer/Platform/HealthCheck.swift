import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
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

/// When this node last saw its health write succeed. A load balancer asks every second or two,
/// from several balancers at once; the write is made at most once per `interval` and a success
/// younger than that stands (a disk that fills up is seen within `interval`). Per node, as the
/// row is: another node proves its own writes.
final class HealthWrites: Sendable {
    let interval: NIOLockedValueBox<TimeAmount>
    private let lastSuccess = NIOLockedValueBox<NIODeadline?>(nil)

    init(interval: TimeAmount = .seconds(5)) {
        self.interval = NIOLockedValueBox(interval)
    }

    /// True when a write succeeded less than `interval` ago.
    var isFresh: Bool {
        let interval = interval.withLockedValue { $0 }
        return lastSuccess.withLockedValue { last in last.map { NIODeadline.now() - $0 < interval } ?? false }
    }

    func record(success: Bool) {
        lastSuccess.withLockedValue { $0 = success ? NIODeadline.now() : nil }
    }
}

extension Application {
    private struct NodeIDKey: StorageKey { typealias Value = String }
    private struct HealthWritesKey: StorageKey { typealias Value = HealthWrites }

    /// Made at configure (see `HealthWrites`).
    var healthWrites: HealthWrites {
        if let writes = storage[HealthWritesKey.self] { return writes }
        let writes = HealthWrites()
        storage[HealthWritesKey.self] = writes
        return writes
    }

    /// This process's name among the nodes: the host name and a random suffix made at start.
    var nodeID: String {
        if let id = storage[NodeIDKey.self] { return id }
        let id = "\(ProcessInfo.processInfo.hostName.prefix(40))-\(SecureRandom.hex(4))"
        storage[NodeIDKey.self] = id
        return id
    }
}
