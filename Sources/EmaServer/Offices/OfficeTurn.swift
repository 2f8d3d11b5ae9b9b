import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A turn at an office: booked for a day and a half-hour slot, with a code to show or cancel.
final class OfficeTurn: Model, @unchecked Sendable {
    static let schema = "turns"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "office") var office: String
    @Field(key: "day") var day: String
    @Field(key: "slot") var slot: String
    @Field(key: "status") var status: TurnStatus
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "called_at") var calledAt: Date?
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "attended_by") var attendedBy: String?
    /// Given at the office to someone who walked in, not booked.
    @Field(key: "walk_in") var walkIn: Bool
    /// A walk-in's number on the screen (`G-017`, `P-003`).
    @OptionalField(key: "ticket") var ticket: String?
    @OptionalField(key: "arrived_at") var arrivedAt: Date?
    /// `PreferentialCare.rawValue`, for a walk-in attended first.
    @OptionalField(key: "preferential") var preferential: String?
    /// The adviser's word at the end: solved in this visit (first-contact resolution).
    @OptionalField(key: "resolved") var resolved: Bool?
    /// Not stored: `book` found this turn already waiting for the same mobile, office and day.
    var alreadyHeld = false

    /// The slot's start as an instant (Bogotá is UTC−5 all year).
    var slotStart: Date? { Self.slotStart(day: day, slot: slot) }

    static func slotStart(day: String, slot: String) -> Date? {
        guard let day = CivilDate(day), let hour = Int(slot.prefix(2)), let minute = Int(slot.suffix(2)) else { return nil }
        return day.startInBogota.addingTimeInterval(Double(hour * 3_600 + minute * 60))
    }

    /// `HH:MM` in Bogotá: a walk-in's slot is the time they arrived.
    static func clockTime(_ date: Date) -> String {
        let minutes = (Int(date.timeIntervalSince1970) + CivilDate.bogotaOffsetSeconds) / 60 % 1_440
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    var origin: TurnOrigin { walkIn ? (preferential == nil ? .walkIn : .preferential) : .booked }

    /// What the screen and the customer call it: the walk-in's number, or the booked code.
    var shownNumber: String { ticket ?? code }

    /// Where the wait starts: a walk-in's arrival, a booked turn's slot.
    var waitStart: Date? { walkIn ? (arrivedAt ?? createdAt) : slotStart }

    init() { walkIn = false }
}

struct CreateTurns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("CREATE TABLE turn_slots (office VARCHAR(120) NOT NULL, day VARCHAR(10) NOT NULL, slot VARCHAR(5) NOT NULL, capacity INTEGER NOT NULL, booked INTEGER NOT NULL, PRIMARY KEY (office, day, slot))").run()
        try await database.schema(OfficeTurn.schema)
            .id()
            .field("code", .string, .required)
            .field("office", .string, .required)
            .field("day", .string, .required)
            .field("slot", .string, .required)
            .field("status", .string, .required)
            .field("phone", .string)
            .field("created_at", .datetime, .required)
            .field("called_at", .datetime)
            .field("started_at", .datetime)
            .field("ended_at", .datetime)
            .field("attended_by", .string)
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OfficeTurn.schema).delete()
        try await database.sql.raw("DROP TABLE turn_slots").run()
    }
}
