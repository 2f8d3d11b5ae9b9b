@testable import EmaServer
import Fluent
import Testing
import Vapor

/// Loads the demo data and returns the latest bill of its first contract, 10234567.
func demoLatestBill(_ app: Application) async throws -> Invoice {
    _ = try await DemoData.load(into: app)
    let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
    return try #require(try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).sort(\.$period, .descending).first())
}
