import Fluent
import Foundation

/// A contract whose bill must go on paper in a period (the failed-delivery policy).
final class PaperBill: Model, @unchecked Sendable {
    static let schema = "paper_bills"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: Contract
    @Field(key: "period") var period: String
    @Field(key: "reason") var reason: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreatePaperBills: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaperBill.schema)
            .id()
            .field("contract_id", .uuid, .required, .references(Contract.schema, "id", onDelete: .restrict))
            .field("period", .string, .required)
            .field("reason", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "contract_id", "period")
            .create()
        try await database.schema(Delivery.schema).field("closed", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Delivery.schema).deleteField("closed").update()
        try await database.schema(PaperBill.schema).delete()
    }
}
