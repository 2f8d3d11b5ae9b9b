import Foundation
import Vapor

/// Group commit for the webhook: deliveries that arrive while a write is under way wait for the
/// next one and are stored together, in one transaction. Each request is acknowledged only once
/// its delivery is committed, so an acknowledged message is never lost; under load many
/// deliveries share one commit, which is what makes the acknowledgement fast.
actor WebhookIngest {
    /// WhatsApp over the node's database.
    private let service: @Sendable () -> WhatsAppService
    private let wake: @Sendable () async -> Void
    private var pending: [(payload: WebhookPayload, done: CheckedContinuation<Void, any Error>)] = []
    private var writers = 0
    /// Transactions under way at once: one on SQLite (a single writer anyway), two on
    /// PostgreSQL (one can be encoded while the other waits on the database).
    private let maxWriters: Int
    /// Deliveries per transaction at most (keeps each statement's parameters bounded).
    private let batchLimit = 200

    init(maxWriters: Int, wake: @escaping @Sendable () async -> Void, service: @escaping @Sendable () -> WhatsAppService) {
        self.maxWriters = maxWriters
        self.wake = wake
        self.service = service
    }

    /// Stores a delivery; returns when it is committed.
    func submit(_ payload: WebhookPayload) async throws {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((payload, continuation))
            if writers < maxWriters {
                writers += 1
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(batchLimit))
            pending.removeFirst(batch.count)
            do {
                try await service().record(batch.map(\.payload))
                for item in batch { item.done.resume() }
                await wake()
            } catch where DatabaseOutage.matches(error) {
                // The database is out of reach: every delivery of the batch gets its 503 now (one
                // by one, each would wait for the pool again and the requests would hang).
                for item in batch { item.done.resume(throwing: error) }
            } catch {
                // One bad delivery must not fail its neighbours: store them one by one.
                for item in batch {
                    do {
                        try await service().record([item.payload])
                        item.done.resume()
                    } catch {
                        item.done.resume(throwing: error)
                    }
                }
            }
        }
        writers -= 1
    }
}
