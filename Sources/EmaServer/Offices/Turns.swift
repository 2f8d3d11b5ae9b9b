import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A turn at an office: booked for a day and a half-hour slot, with a code to show or cancel.
final class OfficeTurn: Model, @unchecked Sendable {
    static let schema = "turns"
    /// Each state as people read it.
    static let statusTitles = ["reservado": "En espera", "llamado": "Llamado", "en_atencion": "En atención", "atendido": "Atendido",
                               "no_asistio": "No asistió", "cancelado": "Cancelado"]

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "office") var office: String
    @Field(key: "day") var day: String
    @Field(key: "slot") var slot: String
    /// reservado → llamado → en_atencion → atendido; or cancelado, or no_asistio after the call
    @Field(key: "status") var status: String
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "called_at") var calledAt: Date?
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "attended_by") var attendedBy: String?

    /// The slot's start as an instant (Bogotá is UTC−5 all year).
    var slotStart: Date? { Self.slotStart(day: day, slot: slot) }

    static func slotStart(day: String, slot: String) -> Date? {
        guard let day = CivilDate(day), let hour = Int(slot.prefix(2)), let minute = Int(slot.suffix(2)) else { return nil }
        return Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + Double(hour * 3_600 + minute * 60) + 5 * 3_600)
    }

    init() {}
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

enum TurnError: EmaError {
    case unknownOffice, unknownSlot, full, notFound, invalidPhone

    var status: HTTPResponseStatus {
        switch self {
        case .full: .conflict
        case .notFound: .notFound
        default: .badRequest
        }
    }

    var code: String {
        switch self {
        case .unknownOffice: "unknown_office"
        case .unknownSlot: "unknown_slot"
        case .full: "slot_full"
        case .notFound: "turn_not_found"
        case .invalidPhone: "invalid_phone"
        }
    }

    var reason: String {
        switch self {
        case .unknownOffice: "Elige una de las oficinas que dan turnos."
        case .unknownSlot: "Elige un día y una hora de la lista (los próximos días hábiles, de 8:00 a. m. a 4:30 p. m.)."
        case .full: "Ese horario se llenó mientras elegías. Elige otra hora, por favor."
        case .notFound: "No encontramos un turno activo con ese código."
        case .invalidPhone: "El celular debe ser un número colombiano de 10 dígitos que empiece por 3."
        }
    }
}

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
        turn.status = "reservado"
        turn.phone = e164
        turn.createdAt = clock.now()
        let capacity = capacity(of: office)
        try await database.writeTransaction { tx in
            let sql = tx.sql
            try await sql.raw("INSERT INTO turn_slots (office, day, slot, capacity, booked) VALUES (\(bind: office), \(bind: day), \(bind: slot), \(bind: capacity), 0) ON CONFLICT (office, day, slot) DO NOTHING").run()
            let taken = try await sql.raw("UPDATE turn_slots SET booked = booked + 1 WHERE office = \(bind: office) AND day = \(bind: day) AND slot = \(bind: slot) AND booked < capacity RETURNING booked").all()
            guard !taken.isEmpty else { throw TurnError.full }
            try await turn.create(on: tx)
            await signals?.signal(Self.topic(office), on: tx)
        }
        return turn
    }

    /// Cancels a booked turn and frees its place.
    func cancel(code: String) async throws -> OfficeTurn {
        let code = code.uppercased().trimmingCharacters(in: .whitespaces)
        return try await database.writeTransaction { tx in
            guard let turn = try await OfficeTurn.query(on: tx).filter(\.$code == code).filter(\.$status == "reservado").first() else { throw TurnError.notFound }
            turn.status = "cancelado"
            try await turn.save(on: tx)
            try await tx.sql.raw("UPDATE turn_slots SET booked = booked - 1 WHERE office = \(bind: turn.office) AND day = \(bind: turn.day) AND slot = \(bind: turn.slot) AND booked > 0").run()
            await signals?.signal(Self.topic(turn.office), on: tx)
            return turn
        }
    }
}

extension TurnService {
    /// Calls the earliest booked turn of today at an office; nil when nobody is waiting. Two
    /// screens calling at once never get the same turn (the update is conditional on the state).
    func callNext(office: String, by staff: String) async throws -> OfficeTurn? {
        let today = clock.today.description
        for _ in 0..<5 {
            guard let next = try await OfficeTurn.query(on: database).filter(\.$office == office).filter(\.$day == today)
                .filter(\.$status == "reservado").sort(\.$slot).sort(\.$createdAt).first()
            else { return nil }
            let moved = try await database.sql.raw("UPDATE turns SET status = 'llamado', called_at = \(bind: clock.now()), attended_by = \(bind: staff) WHERE id = \(bind: next.requireID()) AND status = 'reservado' RETURNING id").all()
            if !moved.isEmpty {
                await signals?.signal(Self.topic(office), on: database)
                return try await OfficeTurn.find(next.id, on: database)
            }
        }
        return nil
    }

    /// Marks the start (from `llamado`) or the end (from `en_atencion`) of an attention.
    func advance(code: String, office: String) async throws -> OfficeTurn {
        guard let turn = try await OfficeTurn.query(on: database).filter(\.$code == code).filter(\.$office == office).first() else { throw TurnError.notFound }
        switch turn.status {
        case "llamado": turn.status = "en_atencion"; turn.startedAt = clock.now()
        case "en_atencion": turn.status = "atendido"; turn.endedAt = clock.now()
        default: throw TurnError.notFound
        }
        try await turn.save(on: database)
        await signals?.signal(Self.topic(office), on: database)
        return turn
    }

    /// A called customer who did not come: the turn leaves the queue and the day's averages.
    func markAbsent(code: String, office: String) async throws -> OfficeTurn {
        guard let turn = try await OfficeTurn.query(on: database).filter(\.$code == code).filter(\.$office == office).filter(\.$status == "llamado").first()
        else { throw TurnError.notFound }
        turn.status = "no_asistio"
        try await turn.save(on: database)
        await signals?.signal(Self.topic(office), on: database)
        return turn
    }

    /// The customers attended in a range of days who left a mobile number, one row per number
    /// (with the office of their last attended turn): the periodic survey's recipients.
    func attendedPhones(from first: String, before end: String) async throws -> [(phone: String, office: String)] {
        let turns = try await OfficeTurn.query(on: database).filter(\.$status == "atendido").filter(\.$phone != nil)
            .filter(\.$day >= first).filter(\.$day < end).sort(\.$day).sort(\.$slot).all()
        var offices: [String: String] = [:]
        for turn in turns { if let phone = turn.phone { offices[phone] = turn.office } }
        return offices.map { (phone: $0.key, office: $0.value) }.sorted { $0.phone < $1.phone }
    }

    struct DayFigures: Encodable, Equatable {
        var attended = 0
        var absent = 0
        /// Minutes from the booked time to the start of attention, and of attention, averaged.
        var averageWaitMinutes: Double?
        var averageAttentionMinutes: Double?
    }

    static func figures(_ turns: [OfficeTurn]) -> DayFigures {
        let done = turns.filter { $0.status == "atendido" }
        let waits = done.compactMap { turn in turn.startedAt.flatMap { start in turn.slotStart.map { max(0, start.timeIntervalSince($0)) / 60 } } }
        let attentions = done.compactMap { turn in turn.endedAt.flatMap { end in turn.startedAt.map { end.timeIntervalSince($0) / 60 } } }
        func average(_ values: [Double]) -> Double? { values.isEmpty ? nil : (values.reduce(0, +) / Double(values.count) * 10).rounded() / 10 }
        return DayFigures(attended: done.count, absent: turns.filter { $0.status == "no_asistio" }.count, averageWaitMinutes: average(waits), averageAttentionMinutes: average(attentions))
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
