import EmaCore
import Fluent
import Foundation

/// Offices' part of the demo history (`Insights/DemoIndicators`): turns of past days and of
/// today, from the date and a stable hash, with fixed codes (`D-…`) so loading again adds nothing.
enum DemoTurns {
    /// The turns of `days` at `offices` (five a day; four today) not loaded yet.
    static func history(days: [CivilDate], today: CivilDate, offices: [UtilityProfile.Office], now: Date, on database: any Database) async throws -> [OfficeTurn] {
        let existing = Set(try await OfficeTurn.query(on: database).filter(\.$code >= "D-").filter(\.$code < "D.").all().map(\.code))
        var turns: [OfficeTurn] = []
        for day in days {
            for (index, office) in offices.enumerated() {
                for place in 0..<(day == today ? 4 : 5) {
                    guard let turn = turn(office: office, index: index, day: day, place: place, now: now), !existing.contains(turn.code) else { continue }
                    turns.append(turn)
                }
            }
        }
        return turns
    }

    /// A turn of a past day, attended (or missed, or cancelled); today's, by the time of day:
    /// attended if its slot is well past, otherwise still booked for later. None waits now.
    static func turn(office: UtilityProfile.Office, index: Int, day: CivilDate, place: Int, now: Date) -> OfficeTurn? {
        let slot = TurnService.slots[(place * 4 + index) % TurnService.slots.count]
        let key = "\(office.name)|\(day)|\(place)"
        let h = StableHash.fnv1a(key)
        guard let start = OfficeTurn.slotStart(day: day.description, slot: slot) else { return nil }
        let turn = OfficeTurn()
        turn.code = "D-\(day.description.replacingOccurrences(of: "-", with: ""))-\(index)\(place)"
        turn.office = office.name
        turn.day = day.description
        turn.slot = slot
        turn.createdAt = start.addingTimeInterval(-2 * 86_400)
        // About 6 to 16 minutes of waiting on average, depending on the office; 4 to 16 of attention.
        let wait = Double(h % 1_000 + UInt64(index) * 120)
        let attention = Double(240 + (h >> 16) % 720)
        let status: TurnStatus = h % 13 == 0 ? .absent : h % 17 == 1 ? .cancelled : .attended
        if start.addingTimeInterval(wait + attention) > now {
            guard start > now.addingTimeInterval(30 * 60) else { return nil }
            turn.status = .reserved
            return turn
        }
        turn.status = status
        if status != .cancelled {
            turn.calledAt = start.addingTimeInterval(max(0, wait - 60))
            turn.attendedBy = "agente@ema.demo"
        }
        if status == .attended {
            turn.startedAt = start.addingTimeInterval(wait)
            turn.endedAt = start.addingTimeInterval(wait + attention)
        }
        return turn
    }

    static func save(_ turns: [OfficeTurn], on database: any Database) async throws {
        for row in turns { try await row.create(on: database) }
    }
}
