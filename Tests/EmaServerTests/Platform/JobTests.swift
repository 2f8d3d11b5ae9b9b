@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor

/// Holds a job until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

/// Records which jobs ran, and how often.
actor RunLog {
    private(set) var runs: [String] = []
    func add(_ id: String) { runs.append(id) }
}

@Suite("Background jobs")
struct JobTests {
    struct Payload: Codable { let n: Int }

    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    func job(_ app: Application, _ id: UUID) async throws -> JobRecord {
        try #require(try await JobRecord.find(id, on: app.db))
    }

    func runner(_ app: Application, concurrency: Int = 1, grace: TimeInterval = 20, poll: TimeInterval = 1, worker: String = JobRunner.makeWorkerName()) -> JobRunner {
        var settings = JobRunner.Settings()
        settings.concurrency = concurrency
        settings.shutdownGrace = grace
        settings.pollInterval = poll
        settings.backoff = Backoff(base: 10, cap: 600, jitter: 0)
        return JobRunner(application: app, registry: app.jobs, settings: settings, worker: worker)
    }

    // The limit counts the wait for a test slot (TestGate) too: the whole suite on PostgreSQL
    // can keep a test waiting longer than it runs. The job runs until the test lets it end, and
    // the lease is long enough (renewed every 0.7 s) that a loaded machine's pauses do not
    // count, short enough that the test looks well past it.
    @Test("With every slot busy, the running jobs' leases are still kept fresh, so no other worker takes them", .timeLimit(.minutes(5)))
    func leasesWhileBusy() async throws {
        try await withEmaApp { app in
            let gate = Gate()
            app.jobs.register("prueba.larga") { _, _ in await gate.wait() }
            let id = try #require(try await app.jobQueue.enqueue(kind: "prueba.larga", payload: Payload(n: 1)))
            var settings = JobRunner.Settings()
            settings.concurrency = 1
            settings.lease = 2
            settings.pollInterval = 0.05
            let busy = JobRunner(application: app, registry: app.jobs, settings: settings, worker: "ocupado")
            await busy.start()
            let claimed = Date()
            while try await job(app, id).state != .running { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(3_500))
            // Well past the first lease (1.75 leases at least): another worker does not get the running job.
            #expect(Date().timeIntervalSince(claimed) > 3.5)
            let stolen = try await app.jobQueue.claim(worker: "otro", limit: 10, lease: 10)
            #expect(!stolen.contains { $0.id == id })
            #expect(try await job(app, id).state == .running)
            await gate.open()
            await busy.stop()
            #expect(try await job(app, id).state == .succeeded)
        }
    }

    @Test("An idempotency key enqueues a job once")
    func idempotentEnqueue() async throws {
        try await withEmaApp { app in
            let first = try await app.jobQueue.enqueue(kind: "x", payload: Payload(n: 1), idempotencyKey: "envio-2026-11-1234")
            let second = try await app.jobQueue.enqueue(kind: "x", payload: Payload(n: 2), idempotencyKey: "envio-2026-11-1234")
            #expect(first != nil)
            #expect(second == nil)
            #expect(try await JobRecord.query(on: app.db).count() == 1)
            #expect(try await app.jobQueue.enqueue(kind: "x", payload: Payload(n: 3)) != nil)
            #expect(try await app.jobQueue.enqueue(kind: "x", payload: Payload(n: 4)) != nil)
            #expect(try await JobRecord.query(on: app.db).count() == 3)
        }
    }

    @Test("A job runs with its payload and ends succeeded")
    func runsOnce() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            let log = RunLog()
            app.jobs.register("prueba.eco") { _, payload in
                let decoded = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8))
                await log.add("n=\(decoded.n)")
            }
            let id = try #require(try await app.jobQueue.enqueue(kind: "prueba.eco", payload: Payload(n: 42)))
            try await runner(app).drain()
            #expect(await log.runs == ["n=42"])
            let record = try await job(app, id)
            #expect(record.state == .succeeded)
            #expect(record.attempts == 1)
            #expect(record.finishedAt == Self.start)
        }
    }

    @Test("A throwing job is retried with growing waits, then marked failed with its last error")
    func retriesThenFails() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            let log = RunLog()
            app.jobs.register("prueba.falla") { context, _ in
                await log.add("intento")
                throw CommandFailure("el proveedor respondió 503 a las \(Int(context.clock.now().timeIntervalSince1970))")
            }
            let id = try #require(try await app.jobQueue.enqueue(kind: "prueba.falla", payload: Payload(n: 1), maxAttempts: 3))
            let worker = runner(app)

            try await worker.drain()
            var record = try await job(app, id)
            #expect(record.state == .queued)
            #expect(record.attempts == 1)
            #expect(record.runAt == Self.start.addingTimeInterval(10))
            #expect(record.lastError?.contains("503") == true)

            // Not due yet: nothing runs.
            manual.advance(by: 9)
            try await worker.drain()
            #expect(await log.runs.count == 1)

            manual.advance(by: 1)
            try await worker.drain()
            record = try await job(app, id)
            #expect(record.state == .queued)
            #expect(record.attempts == 2)
            #expect(record.runAt == manual.now.addingTimeInterval(20))

            manual.advance(by: 20)
            try await worker.drain()
            record = try await job(app, id)
            #expect(record.state == .failed)
            #expect(record.attempts == 3)
            #expect(record.lastError == "el proveedor respondió 503 a las \(Int(manual.now.timeIntervalSince1970))")
            #expect(record.finishedAt == manual.now)
            #expect(await log.runs.count == 3)

            // A failed job stays failed.
            manual.advance(by: 3_600)
            try await worker.drain()
            #expect(await log.runs.count == 3)
        }
    }

    @Test("A job claimed by a worker that died is taken again once its lease expires")
    func deadWorker() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            let queue = app.jobQueue
            let id = try #require(try await queue.enqueue(kind: "prueba", payload: Payload(n: 1)))
            let claimedByA = try await queue.claim(worker: "A", limit: 10, lease: 60)
            #expect(claimedByA.map(\.id) == [id])

            // A dies here. Before the lease ends nobody else can have the job.
            manual.advance(by: 59)
            #expect(try await queue.claim(worker: "B", limit: 10, lease: 60).isEmpty)

            manual.advance(by: 2)
            let claimedByB = try await queue.claim(worker: "B", limit: 10, lease: 60)
            #expect(claimedByB.map(\.id) == [id])
            #expect(claimedByB.first?.attempt == 2)

            // If A comes back, it can no longer record a result over B's.
            #expect(try await queue.complete(claimedByA[0]) == false)
            #expect(try await queue.fail(claimedByA[0], error: "tarde") == nil)
            #expect(try await queue.complete(claimedByB[0]) == true)
            #expect(try await job(app, id).state == .succeeded)
        }
    }

    @Test("A job abandoned by dying workers more times than it may be tried ends failed")
    func abandonedTooOften() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            app.jobs.register("prueba.nunca") { _, _ in Issue.record("should not run") }
            let id = try #require(try await app.jobQueue.enqueue(kind: "prueba.nunca", payload: Payload(n: 1), maxAttempts: 2))
            for worker in ["A", "B"] {
                _ = try await app.jobQueue.claim(worker: worker, limit: 1, lease: 60)
                manual.advance(by: 61)
            }
            try await runner(app).drain()
            let record = try await job(app, id)
            #expect(record.state == .failed)
            #expect(record.lastError?.contains("dejó de responder") == true)
        }
    }

    // A limit against a hang, not a timing: it counts the wait for a test slot, and the whole
    // suite on a busy 2-core machine takes more than two minutes.
    @Test("Two workers on separate nodes never run the same job twice", .timeLimit(.minutes(5)))
    func twoWorkers() async throws {
        try await withEmaApp { app in
            let log = RunLog()
            let handler: JobHandler = { _, payload in
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...3)))
                await log.add(payload)
            }
            app.jobs.register("prueba.carrera", handler: handler)
            for n in 0..<150 { try await app.jobQueue.enqueue(kind: "prueba.carrera", payload: Payload(n: n)) }

            try await withSecondNode(of: app) { other in
                other.jobs.register("prueba.carrera", handler: handler)
                let concurrency = app.usesSQLite ? 1 : 4
                let first = runner(app, concurrency: concurrency, worker: "nodo-1")
                let second = runner(other, concurrency: concurrency, worker: "nodo-2")
                async let a: Void = first.drain()
                async let b: Void = second.drain()
                _ = try await (a, b)
            }
            let runs = await log.runs
            #expect(runs.count == 150)
            #expect(Set(runs).count == 150)
            let records = try await JobRecord.query(on: app.db).all()
            #expect(records.allSatisfy { $0.state == .succeeded && $0.attempts == 1 })
            if !app.usesSQLite {
                // Both nodes took part.
                #expect(Set(records.compactMap(\.lockedBy)) == ["nodo-1", "nodo-2"])
            }
        }
    }

    @Test("On shutdown a running job is finished when it can be, within the grace period")
    func shutdownFinishes() async throws {
        try await withEmaApp { app in
            app.jobs.register("prueba.corta") { _, _ in try await Task.sleep(for: .milliseconds(300)) }
            let id = try #require(try await app.jobQueue.enqueue(kind: "prueba.corta", payload: Payload(n: 1)))
            let worker = runner(app, grace: 10, poll: 0.05)
            await worker.start()
            try await waitUntil { try await job(app, id).state == .running }
            await worker.stop()
            #expect(try await job(app, id).state == .succeeded)
        }
    }

    @Test("On shutdown a job still running after the grace period is given back untouched")
    func shutdownReleases() async throws {
        try await withEmaApp { app in
            app.jobs.register("prueba.larga") { _, _ in try await Task.sleep(for: .seconds(60)) }
            let id = try #require(try await app.jobQueue.enqueue(kind: "prueba.larga", payload: Payload(n: 1)))
            let worker = runner(app, grace: 0.2, poll: 0.05)
            await worker.start()
            try await waitUntil { try await job(app, id).state == .running }
            await worker.stop()
            let record = try await job(app, id)
            #expect(record.state == .queued)
            #expect(record.attempts == 0)
            #expect(record.lockedBy == nil)
            #expect(record.lastError == nil)
        }
    }

    @Test("A kind nobody registered fails visibly instead of vanishing")
    func unknownKind() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            let id = try #require(try await app.jobQueue.enqueue(kind: "nadie.lo.conoce", payload: Payload(n: 1), maxAttempts: 1))
            try await runner(app).drain()
            let record = try await job(app, id)
            #expect(record.state == .failed)
            #expect(record.lastError?.contains("nadie.lo.conoce") == true)
        }
    }

    @Test("Old finished jobs are pruned; recent and pending ones stay")
    func prune() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            app.jobs.register("prueba.ok") { _, _ in }
            try await app.jobQueue.enqueue(kind: "prueba.ok", payload: Payload(n: 1))
            try await runner(app).drain()
            manual.advance(by: 8 * 86_400)
            try await app.jobQueue.enqueue(kind: "prueba.ok", payload: Payload(n: 2))
            try await PruneJobsJob.run(JobContext(database: app.db, application: app, logger: app.logger, clock: app.clock), "{}")
            let left = try await JobRecord.query(on: app.db).all()
            #expect(left.count == 1)
            #expect(left.first?.state == .queued)
        }
    }
}

/// Polls a condition for up to five seconds.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<100 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("the condition never became true")
}

/// A second application on the same database: another node of the same installation.
func withSecondNode(of app: Application, _ body: (Application) async throws -> Void) async throws {
    let other = try await Application.make(.testing)
    other.clock = app.clock
    do {
        try await EmaServer.configure(other, config: app.emaConfig)
        try await body(other)
    } catch {
        try await other.asyncShutdown()
        throw error
    }
    try await other.asyncShutdown()
}
