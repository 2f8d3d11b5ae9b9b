@testable import EmaServer
import EmaCore
import Fluent
import Testing
import Vapor

/// Loads the demo data and returns the latest bill of its first contract, 10234567.
func demoLatestBill(_ app: Application) async throws -> Invoice {
    _ = try await DemoData.load(into: app)
    let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
    return try #require(try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).sort(\.$period, .descending).first())
}

/// Runs every due job to the end, retrying at once (no backoff).
func drainJobs(_ app: Application) async throws {
    var settings = JobRunner.Settings()
    settings.concurrency = app.usesSQLite ? 1 : 4
    settings.backoff = Backoff(base: 0, cap: 0, jitter: 0)
    try await JobRunner(application: app, registry: app.jobs, settings: settings).drain()
}
