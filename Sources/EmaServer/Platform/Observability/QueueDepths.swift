import Fluent
import Vapor

/// A queue whose depth `/metrics` reports (`ema_queue_depth{queue=…}`), so an operator sees a
/// backlog before customers do. Each capability counts its own table; `configure` lists them.
struct QueueDepthSource: Sendable {
    let name: String
    let count: @Sendable (any Database) async throws -> Int
}

extension Application {
    private struct QueueDepthsKey: StorageKey { typealias Value = [QueueDepthSource] }

    var queueDepths: [QueueDepthSource] {
        get { storage[QueueDepthsKey.self] ?? [] }
        set { storage[QueueDepthsKey.self] = newValue }
    }
}
