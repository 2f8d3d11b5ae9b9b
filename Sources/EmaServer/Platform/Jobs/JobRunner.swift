import EmaCore
import Fluent
import Foundation
import Logging
import Vapor

/// Runs jobs from the jobs table: claims what is due, runs each body, records the result, keeps
/// the leases of running jobs fresh, and on shutdown finishes or gives back what it holds.
public actor JobRunner {
    public struct Settings: Sendable {
        /// Jobs run at once by this runner.
        public var concurrency: Int = 4
        /// Pause between polls when the queue is empty.
        public var pollInterval: TimeInterval = 1
        /// How long a claim holds before another worker may take the job.
        /// A claim's length, renewed every third of it while the job runs: the jobs of a node
        /// killed mid-run are taken by another within this.
        public var lease: TimeInterval = 20
        /// How long shutdown waits for running jobs before giving them back.
        public var shutdownGrace: TimeInterval = 20
        public var backoff = Backoff()
        public init() {}
    }

    public let worker: String
    private let application: Application
    private let registry: JobRegistry
    private let settings: Settings
    private let logger: Logger
    private var running: [UUID: (job: ClaimedJob, task: Task<Void, Never>)] = [:]
    private var loop: Task<Void, Never>?
    private var stopping = false
    private var nudged = false

    public init(application: Application, registry: JobRegistry, settings: Settings, worker: String = JobRunner.makeWorkerName()) {
        self.application = application
        self.registry = registry
        self.settings = settings
        self.worker = worker
        var logger = Logger(label: "ema.jobs")
        logger[metadataKey: "worker"] = .string(worker)
        self.logger = logger
    }

    public static func makeWorkerName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"
    }

    private var queue: JobQueue {
        JobQueue(database: application.db, clock: application.clock)
    }

    /// Starts the polling loop.
    public func start() {
        guard loop == nil else { return }
        logger.info("Trabajador de fondo en marcha", metadata: ["concurrency": "\(settings.concurrency)"])
        loop = Task { await self.pollLoop() }
    }

    private func pollLoop() async {
        var lastLeaseRefresh = Date.distantPast
        while !stopping {
            do {
                try await enqueueRecurring()
                let claimed = try await claimAndStart()
                try await refreshLeases(&lastLeaseRefresh)
                if running.count >= settings.concurrency {
                    // Every slot is busy: claim again as soon as one frees up, and keep the
                    // running jobs' leases fresh meanwhile (a long job must not look abandoned).
                    while running.count >= settings.concurrency, !stopping {
                        try? await Task.sleep(for: .milliseconds(5))
                        try await refreshLeases(&lastLeaseRefresh)
                    }
                } else if claimed == 0 {
                    await idle()
                }
            } catch {
                logger.warning("No se pudo consultar la cola de trabajos", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(max(settings.pollInterval, 2)))
            }
        }
    }

    private func refreshLeases(_ last: inout Date) async throws {
        guard Date().timeIntervalSince(last) > settings.lease / 3 else { return }
        try await queue.extendLeases(Array(running.keys), worker: worker, lease: settings.lease)
        last = Date()
    }

    /// Waits for the poll interval, or less when this node just queued work (`nudge`).
    private func idle() async {
        let deadline = ContinuousClock.now + .seconds(settings.pollInterval)
        while !nudged, !stopping, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        nudged = false
    }

    /// Tells the runner that work was just queued on this node, so it need not wait for its poll.
    public func nudge() {
        nudged = true
    }

    /// Claims as many jobs as there are free slots and starts them; returns how many.
    @discardableResult
    func claimAndStart() async throws -> Int {
        let free = settings.concurrency - running.count
        guard free > 0, !stopping else { return 0 }
        let jobs = try await queue.claim(worker: worker, limit: free, lease: settings.lease)
        for job in jobs {
            let task = Task { await self.execute(job) }
            running[job.id] = (job, task)
        }
        return jobs.count
    }

    /// Claims and runs due jobs until none is left; for tests and commands that need the queue drained.
    public func drain() async throws {
        while try await claimAndStart() > 0 || !running.isEmpty {
            for entry in running.values { await entry.task.value }
        }
    }

    private func execute(_ job: ClaimedJob) async {
        var jobLogger = logger
        jobLogger[metadataKey: "job"] = .string(job.kind)
        jobLogger[metadataKey: "job_id"] = .string(job.id.uuidString)
        jobLogger[metadataKey: "attempt"] = .stringConvertible(job.attempt)
        defer { running[job.id] = nil }
        do {
            guard let handler = registry.handler(for: job.kind) else {
                throw JobError.unknownKind(job.kind)
            }
            if job.attempt > job.maxAttempts {
                throw JobError.abandoned
            }
            let context = JobContext(database: application.db, application: application, logger: jobLogger, clock: application.clock)
            try await handler(context, job.payload)
            if Task.isCancelled { throw CancellationError() }
            try await queue.complete(job)
        } catch is CancellationError where stopping {
            // Shutdown cut it short: give it back so another worker runs it from the start.
            _ = try? await queue.release(job)
            jobLogger.notice("Trabajo devuelto a la cola al apagar")
        } catch {
            let state = try? await queue.fail(job, error: String(describing: error), backoff: settings.backoff)
            if state == .failed {
                jobLogger.error("Trabajo fallido definitivamente", metadata: ["error": "\(error)"])
            } else {
                jobLogger.warning("Trabajo falló; se reintentará", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Enqueues each recurring job once per interval; the idempotency key makes this safe from
    /// any number of nodes.
    private func enqueueRecurring() async throws {
        let now = application.clock.now()
        for job in registry.recurringJobs {
            let slot = Int(now.timeIntervalSince1970 / job.interval)
            try await queue.enqueue(kind: job.kind, payload: [String: String](), runAt: now, maxAttempts: 3, idempotencyKey: "\(job.kind)@\(slot)")
        }
    }

    /// Stops claiming, waits up to the grace period for running jobs, then cancels and gives back
    /// whatever is still running.
    public func stop() async {
        stopping = true
        loop?.cancel()
        await loop?.value
        let deadline = Date().addingTimeInterval(settings.shutdownGrace)
        while !running.isEmpty, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let leftovers = Array(running.values)
        for entry in leftovers { entry.task.cancel() }
        for entry in leftovers { await entry.task.value }
        logger.info("Trabajador de fondo detenido", metadata: ["devueltos": "\(leftovers.count)"])
    }
}

enum JobError: Error, CustomStringConvertible {
    case unknownKind(String)
    case abandoned

    var description: String {
        switch self {
        case .unknownKind(let kind): "Ningún manejador registrado para el tipo de trabajo «\(kind)»"
        case .abandoned: "El trabajador que lo ejecutaba dejó de responder demasiadas veces"
        }
    }
}
