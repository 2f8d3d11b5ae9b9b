import EmaCore
import Fluent
import Foundation
import SQLKit

/// Every time a meter's PINs were shown, and where (`web` for the page, `whatsapp` for Ema):
/// who saw a PIN is worth knowing, and the indicators count the consultations.
enum PrepaidPinViews {
    static let schema = "prepaid_pin_views"

    static func record(meter: UUID, channel: String, at now: Date, on database: any Database) async throws {
        try await database.sql.insert(into: schema).columns("id", "meter_id", "channel", "viewed_at")
            .values(SQLBind(UUID()), SQLBind(meter), SQLBind(channel), SQLBind(now)).run()
    }
}

struct CreatePrepaidPinViews: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PrepaidPinViews.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("meter_id", .uuid, .required, .references(PrepaidStore.meters, "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("viewed_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "prepaid_pin_views_at").on(PrepaidPinViews.schema).column("viewed_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PrepaidPinViews.schema).delete()
    }
}
