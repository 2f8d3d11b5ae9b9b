import EmaCore
import Fluent
import Foundation
import SQLKit

/// Offices' part of the demo history (`Insights/DemoIndicators`): turns of past days and of
/// today, from the date and a stable hash, with fixed codes (`D-…`) so loading again adds nothing.
/// Besides the booked turns, customers who walked in (one in four with preferential care), and
/// the adviser's word on whether each visit solved the need.
enum DemoTurns {
    static let walkInsPerDay = 3

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
                // Numbered per letter, in the order they came (G-001, P-001, G-002…).
                var issued: [String: Int] = [:]
                for place in 0..<walkInsPerDay {
                    guard let turn = walkIn(office: office, index: index, day: day, place: place, now: now) else { continue }
                    let letter = turn.origin.letter
                    issued[letter, default: 0] += 1
                    turn.ticket = "\(letter)-" + String(format: "%03d", issued[letter] ?? 1)
                    guard !existing.contains(turn.code) else { continue }
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
            turn.resolved = (h >> 24) % 10 < 8
        }
        return turn
    }

    /// A walk-in of a past day, or of today once attended: arrived in the morning or early
    /// afternoon, waited longer than the booked (5 to 25 minutes; preferential ones less).
    static func walkIn(office: UtilityProfile.Office, index: Int, day: CivilDate, place: Int, now: Date) -> OfficeTurn? {
        let h = StableHash.fnv1a("sin-cita|\(office.name)|\(day)|\(place)")
        let preferential = h % 4 == 0 ? PreferentialCare.allCases[Int((h >> 8) % 3)] : nil
        let arrived = day.startInBogota.addingTimeInterval(Double(8 * 3_600 + place * 7_200 + Int((h >> 12) % 3_600)))
        let wait = Double(preferential == nil ? 300 + (h >> 20) % 1_200 : 60 + (h >> 20) % 300)
        let attention = Double(240 + (h >> 32) % 720)
        guard arrived.addingTimeInterval(wait + attention) <= now else { return nil }
        let turn = OfficeTurn()
        turn.code = "D-\(day.description.replacingOccurrences(of: "-", with: ""))-S\(index)\(place)"
        turn.office = office.name
        turn.day = day.description
        turn.slot = OfficeTurn.clockTime(arrived)
        turn.createdAt = arrived
        turn.arrivedAt = arrived
        turn.walkIn = true
        turn.preferential = preferential?.rawValue
        turn.status = .attended
        turn.calledAt = arrived.addingTimeInterval(wait - 30)
        turn.attendedBy = "agente@ema.demo"
        turn.startedAt = arrived.addingTimeInterval(wait)
        turn.endedAt = arrived.addingTimeInterval(wait + attention)
        turn.resolved = (h >> 40) % 10 < 7
        return turn
    }

    static func save(_ turns: [OfficeTurn], on database: any Database) async throws {
        for row in turns { try await row.create(on: database) }
        // The walk-in numbers given today go on from the demo's.
        var issued: [String: (office: String, day: String, letter: String, count: Int)] = [:]
        for turn in turns where turn.walkIn {
            guard let ticket = turn.ticket, let number = Int(ticket.dropFirst(2)) else { continue }
            let letter = String(ticket.prefix(1))
            let key = "\(turn.office)|\(turn.day)|\(letter)"
            issued[key] = (turn.office, turn.day, letter, max(number, issued[key]?.count ?? 0))
        }
        for counter in issued.values {
            try await database.sql.raw("""
                INSERT INTO walk_in_counters (office, day, letter, issued) VALUES (\(bind: counter.office), \(bind: counter.day), \(bind: counter.letter), \(bind: counter.count))
                ON CONFLICT (office, day, letter) DO UPDATE SET issued = CASE WHEN walk_in_counters.issued > excluded.issued THEN walk_in_counters.issued ELSE excluded.issued END
                """).run()
        }
    }
}
