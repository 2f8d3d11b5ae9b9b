import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Customers who walk in (issue 23): the office screen, or a kiosk the office enabled, gives them
/// a turn for now with a short number (`G-017`, `P-003` for preferential care), shown on screen
/// and, when they leave a mobile, sent by SMS in the same transaction (through the outbox).
extension TurnService {
    struct WalkIn: Sendable {
        let turn: OfficeTurn
        /// People called before this one, as things stand.
        let ahead: Int
        /// The SMS was queued (a number was given and SMS is available).
        let texted: Bool
    }

    func walkIn(office: String, preferential: PreferentialCare?, phone: String?, sms: SMSOutbox?, utilityName: String) async throws -> WalkIn {
        guard offices.contains(office) else { throw TurnError.unknownOffice }
        var e164: String?
        if let typed = phone?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
            guard let valid = ColombianMobile.e164(typed) else { throw TurnError.invalidPhone }
            e164 = valid
        }
        let now = clock.now()
        let today = clock.today.description
        let origin: TurnOrigin = preferential == nil ? .walkIn : .preferential
        let mobile = e164
        return try await database.writeTransaction { tx in
            let sql = tx.sql
            try await sql.raw("INSERT INTO walk_in_counters (office, day, letter, issued) VALUES (\(bind: office), \(bind: today), \(bind: origin.letter), 0) ON CONFLICT (office, day, letter) DO NOTHING").run()
            guard let issued = try await sql.raw("UPDATE walk_in_counters SET issued = issued + 1 WHERE office = \(bind: office) AND day = \(bind: today) AND letter = \(bind: origin.letter) RETURNING issued")
                .first()?.decode(column: "issued", as: Int.self)
            else { throw TurnError.notFound }
            let turn = OfficeTurn()
            turn.code = "T-" + SecureRandom.readable(6)
            turn.ticket = "\(origin.letter)-" + String(format: "%03d", issued)
            turn.office = office
            turn.day = today
            turn.slot = OfficeTurn.clockTime(now)
            turn.status = .reserved
            turn.phone = mobile
            turn.createdAt = now
            turn.arrivedAt = now
            turn.walkIn = true
            turn.preferential = preferential?.rawValue
            try await turn.create(on: tx)
            let ahead = try await Self.order(try await OfficeTurn.query(on: tx).filter(\.$office == office).filter(\.$day == today).filter(\.$status == .reserved).all(), now: now)
                .prefix { $0.id != turn.id }.count
            var texted = false
            if let mobile, let sms {
                let body = "\(utilityName): tu turno en \(office) es el \(turn.ticket!). Te llamaremos por ese número en la pantalla de la sala."
                    + (ahead == 0 ? " Sigues tú." : " Hay \(ahead) \(ahead == 1 ? "persona" : "personas") antes que tú.")
                do {
                    try await sms.on(tx).queue(body, to: mobile, purpose: "turno_sin_cita")
                    texted = true
                } catch SMSError.notConfigured {
                    texted = false
                }
            }
            await signals?.signal(Self.topic(office), on: tx)
            return WalkIn(turn: turn, ahead: ahead, texted: texted)
        }
    }

    /// The order turns are called in: preferential walk-ins first (by arrival), then everyone
    /// whose time has come — booked turns by their slot, walk-ins by arrival — then booked turns
    /// for later in the day, who may be called early when nobody else is waiting.
    static func order(_ turns: [OfficeTurn], now: Date) -> [OfficeTurn] {
        turns.sorted { a, b in
            func rank(_ turn: OfficeTurn) -> (Int, Date) {
                let start = turn.waitStart ?? turn.createdAt
                if turn.origin == .preferential { return (0, start) }
                return (start <= now ? 1 : 2, start)
            }
            let (x, y) = (rank(a), rank(b))
            return x.0 != y.0 ? x.0 < y.0 : (x.1 != y.1 ? x.1 < y.1 : a.createdAt < b.createdAt)
        }
    }
}
