import Fluent
import NIOConcurrencyHelpers
import Foundation
import Logging
import Vapor

/// What a job body receives: the database, the application's clients, a logger labelled with
/// the job, and the clock. Job bodies are plain async functions that commands and tests call too.
public struct JobContext: Sendable {
    public let database: any Database
    public let application: Application
    public let logger: Logger
    public let clock: AppClock
}

/// A job body. It reads its own payload (JSON text) and throws to ask for a retry.
public typealias JobHandler = @Sendable (JobContext, String) async throws -> Void

/// A job that is enqueued on a fixed rhythm (once per `interval`, whichever node gets there first).
public struct RecurringJob: Sendable {
    public let kind: String
    public let interval: TimeInterval
}

/// The job kinds this application knows how to run.
public final class JobRegistry: Sendable {
    private let handlers: NIOLockedValueBox<[String: JobHandler]> = .init([:])
    private let recurring: NIOLockedValueBox<[RecurringJob]> = .init([])

    public init() {}

    public func register(_ kind: String, handler: @escaping JobHandler) {
        handlers.withLockedValue { $0[kind] = handler }
    }

    /// Registers a job that runs every `interval` seconds; its payload is empty.
    public func register(recurring kind: String, every interval: TimeInterval, handler: @escaping JobHandler) {
        register(kind, handler: handler)
        recurring.withLockedValue { $0.append(RecurringJob(kind: kind, interval: interval)) }
    }

    public func handler(for kind: String) -> JobHandler? {
        handlers.withLockedValue { $0[kind] }
    }

    public var recurringJobs: [RecurringJob] {
        recurring.withLockedValue { $0 }
    }
}
