import Fluent
import Foundation
import NIOConcurrencyHelpers
import FluentPostgresDriver
import PostgresNIO
import SQLKit
import Vapor

/// Wakes the live pages of every node when what they show changed (a line in a live chat), so
/// they read the database at once instead of polling it. On PostgreSQL a signal is a
/// `NOTIFY` on one channel that every node `LISTEN`s to on a connection of its own (the database
/// the nodes share already: no broker of our own); on SQLite, the one node, it stays in the
/// process. A signal raised inside a transaction leaves after the commit (`AfterCommit`), so a
/// woken page always finds what changed. Pages still read every `safetyInterval`, for a
/// notification lost while a node was reconnecting.
final class ChangeSignals: Sendable {
    static let safetyInterval: Duration = .seconds(15)

    /// The `NOTIFY` channel: one per database schema (the tests run many schemas in one database).
    let channel: String
    private let waiters = NIOLockedValueBox<[String: [UUID: Weak]]>([:])

    init(schema: String?) {
        channel = "ema_cambios" + (schema.map { "_" + $0 } ?? "")
    }

    /// A page's interest in `topic`, from now on: a signal that comes while the page is busy
    /// reading is kept for its next `next`.
    final class Subscription: Sendable {
        private struct State {
            var pending = false
            var waiter: CheckedContinuation<Bool, Never>?
            var round = 0
        }

        private let state = NIOLockedValueBox(State())
        private let cancelled: @Sendable () -> Void

        fileprivate init(cancelled: @escaping @Sendable () -> Void) {
            self.cancelled = cancelled
        }

        /// Returns at the next signal (or at once if one came since the last call): true; or
        /// after `timeout`: false.
        @discardableResult
        func next(timeout: Duration = ChangeSignals.safetyInterval) async -> Bool {
            let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
            let signaled = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let round: Int? = state.withLockedValue { state in
                    if state.pending {
                        state.pending = false
                        return nil
                    }
                    state.round += 1
                    state.waiter = continuation
                    return state.round
                }
                guard let round else { return continuation.resume(returning: true) }
                timer.withLockedValue { $0 = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.resume(round: round)
                } }
            }
            timer.withLockedValue { $0?.cancel() }
            return signaled
        }

        fileprivate func fire() {
            let waiter: CheckedContinuation<Bool, Never>? = state.withLockedValue { state in
                guard let waiter = state.waiter else {
                    state.pending = true
                    return nil
                }
                state.waiter = nil
                return waiter
            }
            waiter?.resume(returning: true)
        }

        private func resume(round: Int) {
            let waiter: CheckedContinuation<Bool, Never>? = state.withLockedValue { state in
                guard state.round == round, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.resume(returning: false)
        }

        deinit { cancelled() }
    }

    func subscribe(_ topic: String) -> Subscription {
        let id = UUID()
        let subscription = Subscription { [weak self] in
            self?.waiters.withLockedValue { waiters in
                waiters[topic]?[id] = nil
                if waiters[topic]?.isEmpty == true { waiters[topic] = nil }
            }
        }
        waiters.withLockedValue { $0[topic, default: [:]][id] = Weak(subscription) }
        return subscription
    }

    private struct Weak: @unchecked Sendable {
        weak var subscription: Subscription?
        init(_ subscription: Subscription) { self.subscription = subscription }
    }

    /// Wakes this node's pages watching `topic` (or all of them, for `nil`).
    func wake(_ topic: String?) {
        let subscriptions = waiters.withLockedValue { waiters in
            topic.map { Array((waiters[$0] ?? [:]).values) } ?? waiters.values.flatMap(\.values)
        }
        for entry in subscriptions { entry.subscription?.fire() }
    }

    /// Tells every node that `topic` changed, once what `database` wrote is committed: on
    /// PostgreSQL a `NOTIFY` in the same transaction (delivered at its commit); on SQLite a wake
    /// after the `writeTransaction` commits.
    func signal(_ topic: String, on database: any Database) async {
        if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // A lost notification costs a page at most its safety interval.
            try? await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: topic))").run()
        } else if let pending = AfterCommit.actions {
            pending.add { [self] in wake(topic) }
        } else {
            wake(topic)
        }
    }
}

/// What a transaction asks to do once it has committed (`Database.writeTransaction` runs them).
enum AfterCommit {
    @TaskLocal static var actions: Actions?

    final class Actions: Sendable {
        private let list = NIOLockedValueBox<[@Sendable () async -> Void]>([])

        func add(_ action: @escaping @Sendable () async -> Void) {
            list.withLockedValue { $0.append(action) }
        }

        func run() async {
            for action in list.withLockedValue({ $0 }) { await action() }
        }
    }
}

/// This node's `LISTEN` connection on PostgreSQL: opened at start, reopened after the database
/// went away (every page is woken then, to read what it may have missed), closed at shutdown.
final class ChangeListener: LifecycleHandler, Sendable {
    let signals: ChangeSignals
    let configuration: PostgresConnection.Configuration
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)

    init(signals: ChangeSignals, configuration: PostgresConnection.Configuration) {
        self.signals = signals
        self.configuration = configuration
    }

    func didBoot(_ application: Application) throws {
        let eventLoop = application.eventLoopGroup.any()
        task.withLockedValue { task in
            guard task == nil else { return }
            task = Task { await self.listen(on: eventLoop) }
        }
    }

    private func listen(on eventLoop: any EventLoop) async {
        let logger = Logger(label: "ema.signals")
        var failures = 0
        while !Task.isCancelled {
            var opened: PostgresConnection?
            do {
                let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 0, logger: logger).get()
                opened = connection
                self.connection.withLockedValue { $0 = connection }
                if !Task.isCancelled {
                    let notifications = try await connection.listen(signals.channel)
                    if failures > 0 { logger.notice("Avisos entre nodos restablecidos") }
                    failures = 0
                    // Whatever was signalled while this node was not listening: every page reads.
                    signals.wake(nil)
                    for try await notification in notifications { signals.wake(notification.payload) }
                }
            } catch {
                if !Task.isCancelled {
                    failures += 1
                    if failures == 1 { logger.warning("Se perdió la conexión de avisos entre nodos; se reintenta", metadata: ["error": "\(String(describing: error).prefix(200))"]) }
                }
            }
            // Every connection opened is closed, whatever ended the loop (PostgresNIO requires it).
            self.connection.withLockedValue { $0 = nil }
            if let opened { try? await opened.close() }
            if Task.isCancelled { break }
            try? await Task.sleep(for: .seconds(min(5, max(1, failures))))
        }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLockedValue { $0?.cancel() }
        if let open = connection.withLockedValue({ $0 }) { try? await open.close() }
        await task.withLockedValue { $0 }?.value
    }
}

extension Application {
    private struct ChangeSignalsKey: StorageKey { typealias Value = ChangeSignals }

    /// Made at configure; on PostgreSQL with its `ChangeListener`.
    var changeSignals: ChangeSignals {
        guard let signals = storage[ChangeSignalsKey.self] else { fatalError("configure(_:config:) was not called") }
        return signals
    }

    func useChangeSignals(_ config: AppConfig) throws {
        switch config.database {
        case .sqlite:
            storage[ChangeSignalsKey.self] = ChangeSignals(schema: nil)
        case .postgres(_, let schema):
            let signals = ChangeSignals(schema: schema)
            storage[ChangeSignalsKey.self] = signals
            guard let configuration = postgresConnectionConfiguration else { fatalError("useDatabase(_:) first") }
            lifecycle.use(ChangeListener(signals: signals, configuration: configuration))
        }
    }
}
