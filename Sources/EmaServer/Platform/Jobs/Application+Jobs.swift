import Fluent
import Vapor

extension Application {
    private struct RegistryKey: StorageKey { typealias Value = JobRegistry }
    private struct RunnerKey: StorageKey { typealias Value = JobRunner }

    /// The job kinds of this application.
    public var jobs: JobRegistry {
        if let registry = storage[RegistryKey.self] { return registry }
        let registry = JobRegistry()
        storage[RegistryKey.self] = registry
        return registry
    }

    /// This node's worker, when it runs one.
    var jobRunner: JobRunner? {
        storage[RunnerKey.self]
    }

    /// Wakes this node's worker (when it runs one) to look for jobs now rather than at its next poll.
    var wakeWorker: @Sendable () async -> Void {
        { [self] in await jobRunner?.nudge() }
    }

    /// The queue over this application's database.
    public var jobQueue: JobQueue {
        JobQueue(database: db, clock: clock)
    }

    /// Registers the job kinds each capability runs.
    func registerJobs() {
        jobs.register(recurring: PruneJobsJob.kind, every: 24 * 3600, handler: PruneJobsJob.run)
        jobs.register(recurring: PrunePlatformJob.kind, every: 24 * 3600, handler: PrunePlatformJob.run)
        jobs.register(recurring: PruneStaffSessionsJob.kind, every: 3_600, handler: PruneStaffSessionsJob.run)
        jobs.register(BackOfficeDispatchController.job, handler: BackOfficeDispatchController.run)
        jobs.register(recurring: CaseAlertsJob.kind, every: 3_600, handler: CaseAlertsJob.run)
        jobs.register(recurring: ReconcilePaymentsJob.kind, every: ReconcilePaymentsJob.interval, handler: ReconcilePaymentsJob.run)
        jobs.register(recurring: PaymentRemindersJob.kind, every: PaymentRemindersJob.interval, handler: PaymentRemindersJob.run)
        jobs.register(recurring: PromotionsJob.kind, every: PromotionsJob.interval, handler: PromotionsJob.run)
        jobs.register(SurveyInvitations.smsJob, handler: SurveyInvitations.send)
        jobs.register(recurring: RetentionJob.kind, every: RetentionJob.every, handler: RetentionJob.run)
        jobs.register(ForgetNumberJob.kind, handler: ForgetNumberJob.run)
        jobs.register(SMSOutbox.job, handler: SMSOutbox.send)
    }

    /// Starts this node's worker; it stops (finishing or giving back its jobs) when the
    /// application shuts down. SQLite too runs several jobs at once: every transaction takes its
    /// write lock first (`writeTransaction`), so writers wait their turn while a sender waits on
    /// the Graph API (one at a time, 100 customers' first replies took 3.6 s at the median; four,
    /// 1.8 s; see BENCHMARKS.md).
    func startJobRunner() async throws {
        var settings = JobRunner.Settings()
        settings.concurrency = emaConfig.workerConcurrency
        let runner = JobRunner(application: self, registry: jobs, settings: settings)
        storage[RunnerKey.self] = runner
        lifecycle.use(JobRunnerLifecycle(runner: runner))
        await runner.start()
    }
}

/// Stops the worker before the database goes away.
struct JobRunnerLifecycle: LifecycleHandler {
    let runner: JobRunner

    func shutdownAsync(_ application: Application) async {
        await runner.stop()
    }
}

/// Deletes old finished jobs so the table stays small: succeeded after 7 days, failed after 90
/// (long enough for someone to look at why).
enum PruneJobsJob {
    static let kind = "platform.prune_jobs"

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let now = context.clock.now()
        let removed = try await JobQueue(database: context.database, clock: context.clock)
            .prune(succeededBefore: now.addingTimeInterval(-7 * 86_400), failedBefore: now.addingTimeInterval(-90 * 86_400))
        context.logger.info("Trabajos antiguos eliminados", metadata: ["cantidad": "\(removed)"])
    }
}
