import EmaCore
import Fluent
import Foundation

/// A service contract as the billing system knows it. Upserted from `contracts.csv`.
final class Contract: Model, @unchecked Sendable {
    static let schema = "contracts"

    @ID(key: .id) var id: UUID?
    @Field(key: "contract_number") var contractNumber: String
    @Field(key: "holder_name") var holderName: String
    @Field(key: "address") var address: String
    @Field(key: "municipality") var municipality: String
    @Field(key: "segment") var segment: String
    /// `;`-separated service names in canonical order (`UtilityService.encode`).
    @Field(key: "services") var services: String
    @Field(key: "status") var status: String
    /// Set by the failed-delivery policy: this contract's next bill goes on paper.
    @Field(key: "paper_invoice") var paperInvoice: Bool
    /// How the bill reaches the holder outside Ema, as the billing system says (`BillChannel.encode`).
    @Field(key: "bill_channels") var billChannels: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {
        billChannels = BillChannel.impresa.rawValue
    }

    var segmentValue: Segment? { Segment(rawValue: segment) }
    var serviceList: [UtilityService] { UtilityService.decode(services) }
    var billChannelList: [BillChannel] { BillChannel.decode(billChannels) }
}

/// The channels the billing system sends each contract's bill by (`bill_channels`): paper
/// unless it says otherwise.
struct AddBillChannelsToContracts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Contract.schema).field("bill_channels", .string, .required, .sql(.default(BillChannel.impresa.rawValue))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Contract.schema).deleteField("bill_channels").update()
    }
}

struct CreateContracts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Contract.schema)
            .id()
            .field("contract_number", .string, .required)
            .field("holder_name", .string, .required)
            .field("address", .string, .required)
            .field("municipality", .string, .required)
            .field("segment", .string, .required)
            .field("services", .string, .required)
            .field("status", .string, .required)
            .field("paper_invoice", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "contract_number")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Contract.schema).delete()
    }
}
