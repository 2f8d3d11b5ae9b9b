import FluentPostgresDriver
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import NIOCore

/// Whether an error means the database is out of reach (down, restarting, refusing
/// connections, out of disk) rather than a bad request or a bug: such errors are answered
/// 503 `database_unavailable` with `Retry-After`, so Meta and the balancers retry later, and
/// the node goes on serving as soon as the database is back (the pool opens new connections on
/// demand; nothing needs a restart).
enum DatabaseOutage {
    static func matches(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            if error.code == .server, let state = error.serverInfo?[.sqlState] {
                // 08: connection exception; 57: shut down or starting; 53: out of disk, memory or
                // connections.
                return ["08", "57", "53"].contains(String(state.prefix(2)))
            }
            return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code)
        case let error as SQLiteError:
            // Busy or locked beyond the busy timeout: worth retrying in a moment, like an outage.
            return [.full, .ioError, .cantOpen, .busy, .locked, .readOnly, .busyInSnapshot, .busyTimeout, .busyInRecovery].contains(error.reason)
        case is IOError, is ChannelError:
            return true
        default:
            return false
        }
    }
}

extension DatabaseOutage {
    /// Runs `work`, but answers `PlatformError.databaseUnavailable` after `seconds` if it has not
    /// finished: a request must get its 503 at once rather than hang while the database restarts
    /// (the work goes on and may still finish; what it stores is idempotent where this is used).
    static func answerWithin<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let resumed = NIOLockedValueBox(false)
        let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            @Sendable func finish(_ result: Result<T, any Error>) {
                guard resumed.withLockedValue({ done in defer { done = true }; return !done }) else { return }
                // The timer is not left sleeping for every request answered in time.
                timer.withLockedValue { $0?.cancel() }
                continuation.resume(with: result)
            }
            timer.withLockedValue { $0 = Task {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1_000)))
                if !Task.isCancelled { finish(.failure(PlatformError.databaseUnavailable)) }
            } }
            Task {
                do { finish(.success(try await work())) } catch { finish(.failure(error)) }
            }
        }
    }
}
