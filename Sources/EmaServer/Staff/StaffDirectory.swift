import Fluent
import Foundation

/// How other capabilities read staff accounts (a case's responsible, the demo's supervisor):
/// through here, not through the model's queries.
struct StaffDirectory {
    let database: any Database

    func account(_ id: UUID) async throws -> StaffAccount? {
        try await StaffAccount.find(id, on: database)
    }

    func account(email: String) async throws -> StaffAccount? {
        try await StaffAccount.query(on: database).filter(\.$email == email).first()
    }

    /// Active accounts that attend customers, by name: whom a case can be assigned to.
    func careAccounts() async throws -> [StaffAccount] {
        try await StaffAccount.query(on: database).filter(\.$active == true)
            .filter(\.$role ~~ StaffAccount.Role.care.map(\.rawValue)).sort(\.$name).all()
    }
}
