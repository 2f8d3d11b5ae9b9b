import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Booking and cancelling turns. A slot's capacity is enforced by one conditional update
/// (`booked < capacity`), so concurrent bookings never overbook, on SQLite or PostgreSQL.
struct TurnService {
    let database: any Database
    let clock: AppClock
    let offices: [String]
    /// Places per half-hour slot, per office (`turnCapacity` in the utility's data file).
    var capacities: [String: Int] = [:]
    /// Tells the office screens (on every node) that an office's turns changed.
    var signals: ChangeSignals?
    static let defaultCapacity = 4

    /// What an office's screen listens to (`ChangeSignals`): a turn booked, cancelled, called…
    static func topic(_ office: String) -> String { "turnos:\(office)" }
    var calendar = ColombianCalendar()

    func capacity(of office: String) -> Int { capacities[office] ?? Self.defaultCapacity }

    static let slots: [String] = stride(from: 8 * 60, through: 16 * 60 + 30, by: 30).map { String(format: "%02d:%02d", $0 / 60, $0 % 60) }

    /// The next five business days, from tomorrow.
    var days: [CivilDate] {
        var day = clock.today
        var result: [CivilDate] = []
        while result.count < 5 {
            day = calendar.adding(businessDays: 1, to: day)
            result.append(day)
        }
        return result
    }

    /// Turns left per slot of an office's day.
    func remaining(office: String, day: String) async throws -> [String: Int] {
        let rows = try await database.sql.raw("SELECT slot, capacity - booked AS left FROM turn_slots WHERE office = \(bind: office) AND day = \(bind: day)").all()
        var left = Dictionary(uniqueKeysWithValues: Self.slots.map { ($0, capacity(of: office)) })
        for row in rows { left[try row.decode(column: "slot", as: String.self)] = try row.decode(column: "left", as: Int.self) }
        return left
    }

    func book(office: String, day: String, slot: String, phone: String?) async throws -> OfficeTurn {
        guard offices.contains(office) else { throw TurnError.unknownOffice }
        guard days.map(\.description).contains(day), Self.slots.contains(slot) else { throw TurnError.unknownSlot }
        var e164: String?
        if let typed = phone?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
            guard let valid = ColombianMobile.e164(typed) else { throw TurnError.invalidPhone }
            e164 = valid
        }
        let turn = OfficeTurn()
        turn.code = "T-" + SecureRandom.readable(6)
        turn.office = office
        turn.day = day
        turn.slot = slot
        turn.status = .reserved
        turn.phone = e164
        turn.createdAt = clock.now()
        let capacity = capacity(of: office)
        let mobile = e164
        return try await database.writeTransaction { tx in
            let sql = tx.sql
            // One waiting turn per mobile, office and day: booking again gives the same turn (a
            // double click, a second try) instead of holding a second place. Numbers take turns
            // (an advisory lock on PostgreSQL; SQLite has one writer).
            if let mobile {
                if sql.dialect.name == "postgresql" { try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "turno:" + mobile)))").run() }
                if let held = try await OfficeTurn.query(on: tx).filter(\.$phone == mobile).filter(\.$office == office).filter(\.$day == day)
                    .filter(\.$status == .reserved).first() {
                    held.alreadyHeld = true
                    return held
                }
            }
            try await sql.raw("INSERT INTO turn_slots (office, day, slot, capacity, booked) VALUES (\(bind: office), \(bind: day), \(bind: slot), \(bind: capacity), 0) ON CONFLICT (office, day, slot) DO NOTHING").run()
            let taken = try await sql.raw("UPDATE turn_slots SET booked = booked + 1 WHERE office = \(bind: office) AND day = \(bind: day) AND slot = \(bind: slot) AND booked < capacity RETURNING booked").all()
            guard !taken.isEmpty else { throw TurnError.full }
            try await turn.create(on: tx)
            await signals?.signal(Self.topic(office), on: tx)
            return turn
        }
    }

    /// A waiting turn by its code (any case, spaces around), or nil.
    func waiting(code: String) async throws -> OfficeTurn? {
        try await OfficeTurn.query(on: database).filter(\.$code == Self.normalized(code)).filter(\.$status == .reserved).first()
    }

    /// A turn's code as stored: `t-abc123 ` → `T-ABC123`.
    static func normalized(_ code: String) -> String {
        String(code.uppercased().trimmingCharacters(in: .whitespaces).prefix(12))
    }

    /// Cancels a booked turn and frees its place.
    func cancel(code: String) async throws -> OfficeTurn {
        let code = Self.normalized(code)
        return try await database.writeTransaction { tx in
            guard let turn = try await OfficeTurn.query(on: tx).filter(\.$code == code).filter(\.$status == .reserved).first() else { throw TurnError.notFound }
            turn.status = .cancelled
            try await turn.save(on: tx)
            try await tx.sql.raw("UPDATE turn_slots SET booked = booked - 1 WHERE office = \(bind: turn.office) AND day = \(bind: turn.day) AND slot = \(bind: turn.slot) AND booked > 0").run()
            await signals?.signal(Self.topic(turn.office), on: tx)
            return turn
        }
    }
}

extension TurnService {
    /// Calls the next of today's turns at an office, in `order` (preferential care first); nil
    /// when nobody is waiting. Two screens calling at once never get the same turn (the update
    /// is conditional on the state).
    func callNext(office: String, by staff: String) async throws -> OfficeTurn? {
        let today = clock.today.description
        for _ in 0..<5 {
            let waiting = try await OfficeTurn.query(on: database).filter(\.$office == office).filter(\.$day == today).filter(\.$status == .reserved).all()
            guard let next = Self.order(waiting, now: clock.now()).first else { return nil }
            let moved = try await database.sql.raw("UPDATE turns SET status = \(bind: TurnStatus.called.rawValue), called_at = \(bind: clock.now()), attended_by = \(bind: staff) WHERE id = \(bind: next.requireID()) AND status = \(bind: TurnStatus.reserved.rawValue) RETURNING id").all()
            if !moved.isEmpty {
                await signals?.signal(Self.topic(office), on: database)
                return try await OfficeTurn.find(next.id, on: database)
            }
        }
        return nil
    }

    /// Marks the start (from `llamado`) or the end (from `en_atencion`) of an attention.
    /// Ending, `resolved` is the adviser's word: the need was solved in this visit or not.
    func advance(code: String, office: String, resolved: Bool? = nil) async throws -> OfficeTurn {
        guard let turn = try await OfficeTurn.query(on: database).filter(\.$code == code).filter(\.$office == office).first() else { throw TurnError.notFound }
        switch turn.status {
        case .called: turn.status = .inAttention; turn.startedAt = clock.now()
        case .inAttention: turn.status = .attended; turn.endedAt = clock.now(); turn.resolved = resolved
        default: throw TurnError.notFound
        }
        try await turn.save(on: database)
        await signals?.signal(Self.topic(office), on: database)
        return turn
    }

    /// A called customer who did not come: the turn leaves the queue and the day's averages.
    func markAbsent(code: String, office: String) async throws -> OfficeTurn {
        guard let turn = try await OfficeTurn.query(on: database).filter(\.$code == code).filter(\.$office == office).filter(\.$status == .called).first()
        else { throw TurnError.notFound }
        turn.status = .absent
        try await turn.save(on: database)
        await signals?.signal(Self.topic(office), on: database)
        return turn
    }

    /// The customers attended in a range of days who left a mobile number, one row per number
    /// (with the office of their last attended turn): the periodic survey's recipients.
    func attendedPhones(from first: String, before end: String) async throws -> [(phone: String, office: String)] {
        let turns = try await OfficeTurn.query(on: database).filter(\.$status == .attended).filter(\.$phone != nil)
            .filter(\.$day >= first).filter(\.$day < end).sort(\.$day).sort(\.$slot).all()
        var offices: [String: String] = [:]
        for turn in turns { if let phone = turn.phone { offices[phone] = turn.office } }
        return offices.map { (phone: $0.key, office: $0.value) }.sorted { $0.phone < $1.phone }
    }

    struct DayFigures: Encodable, Equatable {
        var attended = 0
        var absent = 0
        /// Of the attended, how many came booked and how many walked in.
        var booked = 0
        var walkIns = 0
        /// Minutes from the booked time (a walk-in's arrival) to the start of attention, and of
        /// attention, averaged.
        var averageWaitMinutes: Double?
        var averageAttentionMinutes: Double?
    }

    static func figures(_ turns: [OfficeTurn]) -> DayFigures {
        let done = turns.filter { $0.status == .attended }
        let waits = done.compactMap { turn in turn.startedAt.flatMap { start in turn.waitStart.map { max(0, start.timeIntervalSince($0)) / 60 } } }
        let attentions = done.compactMap { turn in turn.endedAt.flatMap { end in turn.startedAt.map { end.timeIntervalSince($0) / 60 } } }
        func average(_ values: [Double]) -> Double? { values.isEmpty ? nil : (values.reduce(0, +) / Double(values.count) * 10).rounded() / 10 }
        return DayFigures(attended: done.count, absent: turns.filter { $0.status == .absent }.count,
                          booked: done.filter { !$0.walkIn }.count, walkIns: done.filter(\.walkIn).count,
                          averageWaitMinutes: average(waits), averageAttentionMinutes: average(attentions))
    }
}

extension Application {
    /// Offices that give turns (open, with "Turnos" among their services).
    var turnOffices: [UtilityProfile.Office] {
        (utilityProfile?.offices ?? []).filter { $0.open && $0.services.contains("Turnos") }
    }

    func turnService(database: (any Database)? = nil) -> TurnService {
        let offices = turnOffices
        return TurnService(
            database: database ?? db, clock: clock, offices: offices.map(\.name),
            capacities: Dictionary(offices.compactMap { office in office.turnCapacity.map { (office.name, $0) } }) { first, _ in first },
            signals: changeSignals
        )
    }
}
