import EmaCore
import Fluent
import Foundation

/// How other capabilities read contracts and bills (a PQR's contract and bill, the assistant's
/// lookups, the demo): through here, not through the models' queries. The lookup limits are the
/// caller's (`ContractLookups`).
struct ContractDirectory {
    let database: any Database

    func contract(number: String) async throws -> Contract? {
        try await Contract.query(on: database).filter(\.$contractNumber == number).first()
    }

    /// The bill with this number, if it is the contract's.
    func invoice(number: String, of contract: Contract) async throws -> Invoice? {
        try await Invoice.query(on: database).filter(\.$invoiceNumber == number).filter(\.$contract.$id == contract.requireID()).first()
    }

    /// Active contracts, by number.
    func activeContracts() async throws -> [Contract] {
        try await Contract.query(on: database).filter(\.$status == ContractStatus.activo.rawValue).sort(\.$contractNumber).all()
    }
}
