import EmaCore
import Fluent
import Foundation
import Vapor

/// A modest history for `ema serve --demo`, so the statistics page has something to show: for
/// the last three complete months and for today, turns attended at six offices, live chats
/// (answered sooner or later, solved or not, a few abandoned), quejas and reclamos answered, and
/// the survey answers that follow them. Every value comes from the date and a stable hash, so
/// the same day gives the same data; loading twice adds nothing (fixed codes, keys and ids).
/// Nothing is left waiting: the advisors' queue and the offices' screens start empty.
enum DemoIndicators {
    struct Summary: Sendable, Equatable {
        var turns = 0
        var chats = 0
        var answers = 0
        var cases = 0
    }

    static let officeCount = 6
    static let scores = [5, 5, 4, 5, 4, 3, 5, 4, 2, 5, 4, 1]
    /// Minutes after midnight (Bogotá) when today's demo chats were asked for.
    static let todaysChats = [8 * 60 + 40, 9 * 60 + 25, 10 * 60 + 50, 11 * 60 + 35, 14 * 60 + 10, 15 * 60 + 45, 17 * 60 + 20]
    static let segments = ["hogares", "hogares", "hogares", "hogares", "empresas", "gobierno", "grandes_clientes"]

    @discardableResult
    static func load(into app: Application) async throws -> Summary {
        let now = app.clock.now()
        let today = app.clock.today
        let calendar = ColombianCalendar()
        var days: [CivilDate] = []
        var month = BillingPeriod(containing: today).previous.previous.previous
        for _ in 0..<3 {
            var day = CivilDate(year: month.year, month: month.month, day: 1)!
            var index = 0
            while BillingPeriod(containing: day) == month {
                // Every other business day: enough to fill the charts, light to load.
                if calendar.isBusinessDay(day) { if index % 2 == 0 { days.append(day) }; index += 1 }
                day = day.adding(days: 1)
            }
            month = month.next
        }
        var summary = Summary()
        var answers: [SurveyResponse] = []
        let offices = Array(app.turnOffices.prefix(officeCount))
        let existingTurns = Set(try await OfficeTurn.query(on: app.db).filter(\.$code >= "D-").filter(\.$code < "D.").all().map(\.code))
        let existingChats = Set(try await LiveChat.query(on: app.db).filter(\.$conversationID >= "demo-").filter(\.$conversationID < "demo.").all().map(\.conversationID))
        var turns: [OfficeTurn] = []
        var chats: [LiveChat] = []
        for day in days + (calendar.isBusinessDay(today) ? [today] : []) {
            for (index, office) in offices.enumerated() {
                for place in 0..<(day == today ? 4 : 5) {
                    let turn = turn(office: office, index: index, day: day, place: place, now: now)
                    guard let turn, !existingTurns.contains(turn.code) else { continue }
                    turns.append(turn)
                    if let answer = officeAnswer(turn, office: office, now: now) { answers.append(answer) }
                }
            }
        }
        for day in days {
            for place in 0..<3 {
                let at = Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 5 * 3_600) + Double(9 * 3_600 + Int(hash("hora|\(day)|\(place)") % (9 * 3_600)))
                chats.append(chat(key: "\(day)-\(place)", requestedAt: at))
            }
        }
        // Today's, within the advisors' hours, once they have had time to end.
        for (place, minute) in todaysChats.enumerated() {
            let at = Date(timeIntervalSince1970: Double(today.dayNumber) * 86_400 + 5 * 3_600 + Double(minute * 60))
            if at.addingTimeInterval(20 * 60) <= now { chats.append(chat(key: "\(today)-hoy-\(place)", requestedAt: at, now: now)) }
        }
        chats.removeAll { existingChats.contains($0.conversationID) }
        for chat in chats {
            if let score = chat.rating, let rated = chat.ratedAt {
                answers.append(answer(kind: .chat, subject: chat.id!.uuidString, channel: chat.channel, score: score, at: rated))
            }
        }
        try await app.db.writeTransaction { [turns, chats, answers] tx in
            for turn in turns { try await turn.create(on: tx) }
            for chat in chats { try await chat.create(on: tx) }
            for answer in answers { try await answer.create(on: tx) }
        }
        summary.turns = turns.count
        summary.chats = chats.count
        summary.answers = answers.count
        summary.cases = try await fileCases(app, days: days, now: now)
        return summary
    }

    static func hash(_ key: String) -> UInt64 { StableHash.fnv1a(key) }

    /// A turn of a past day, attended (or missed, or cancelled); today's, by the time of day:
    /// attended if its slot is well past, otherwise still booked for later. None waits now.
    static func turn(office: UtilityProfile.Office, index: Int, day: CivilDate, place: Int, now: Date) -> OfficeTurn? {
        let slot = TurnService.slots[(place * 4 + index) % TurnService.slots.count]
        let key = "\(office.name)|\(day)|\(place)"
        let h = hash(key)
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
        let status = h % 13 == 0 ? "no_asistio" : h % 17 == 1 ? "cancelado" : "atendido"
        if start.addingTimeInterval(wait + attention) > now {
            guard start > now.addingTimeInterval(30 * 60) else { return nil }
            turn.status = "reservado"
            return turn
        }
        turn.status = status
        if status != "cancelado" {
            turn.calledAt = start.addingTimeInterval(max(0, wait - 60))
            turn.attendedBy = "agente@ema.demo"
        }
        if status == "atendido" {
            turn.startedAt = start.addingTimeInterval(wait)
            turn.endedAt = start.addingTimeInterval(wait + attention)
        }
        return turn
    }

    /// One attended turn in three gets rated an hour later (if that hour has come).
    static func officeAnswer(_ turn: OfficeTurn, office: UtilityProfile.Office, now: Date) -> SurveyResponse? {
        let h = hash("encuesta|\(turn.code)")
        guard turn.status == "atendido", let end = turn.endedAt, h % 3 == 0 else { return nil }
        let at = end.addingTimeInterval(3_600)
        guard at <= now else { return nil }
        let answer = answer(kind: .oficina, subject: turn.code, channel: "sms", score: scores[Int((h >> 8) % UInt64(scores.count))], at: at)
        answer.office = office.name
        answer.municipality = office.municipality
        answer.segment = segments[Int((h >> 20) % UInt64(segments.count))]
        return answer
    }

    static func answer(kind: SurveyService.Kind, subject: String, channel: String, score: Int, at: Date) -> SurveyResponse {
        let answer = SurveyResponse()
        answer.kind = kind.rawValue
        answer.subject = subject
        answer.channel = channel
        answer.score = score
        answer.answeredAt = at
        answer.answeredOn = CivilDate(bogotaAt: at.timeIntervalSince1970).description
        return answer
    }

    /// A chat with an advisor, ended: answered in 8 s to 2 min, then closed solved or not (by
    /// the advisor, or by the customer); one in ten abandoned before anyone took it. Most of the
    /// closed ones are rated. Ids come from the key, so loading again finds them.
    static func chat(key: String, requestedAt: Date, now: Date? = nil) -> LiveChat {
        let h = hash("chat|\(key)")
        let chat = LiveChat()
        let high = hash("id-a|\(key)"), low = hash("id-b|\(key)")
        chat.id = UUID(uuid: withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { bytes in
            let b = Array(bytes)
            return (b[0], b[1], b[2], b[3], b[4], b[5], 0x40 | (b[6] & 0x0f), b[7], 0x80 | (b[8] & 0x3f), b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        })
        chat.conversationID = "demo-" + key
        chat.channel = ["web", "web", "whatsapp", "kiosk"][Int((h >> 4) % 4)]
        chat.requestedAt = requestedAt
        chat.requestedOn = CivilDate(bogotaAt: requestedAt.timeIntervalSince1970).description
        if h % 10 == 0 {
            chat.status = LiveChat.Status.abandoned.rawValue
            chat.closedAt = requestedAt.addingTimeInterval(Double(70 + (h >> 8) % 120))
            chat.closedBy = "cliente"
            return chat
        }
        let taken = requestedAt.addingTimeInterval(Double(8 + (h >> 8) % 112))
        chat.status = LiveChat.Status.closed.rawValue
        chat.takenAt = taken
        chat.takenBy = "agente@ema.demo"
        chat.takenName = "Andrea Agente"
        chat.firstReplyAt = taken.addingTimeInterval(Double(20 + (h >> 16) % 60))
        chat.closedAt = taken.addingTimeInterval(Double(240 + (h >> 24) % 600))
        if h % 10 == 1 {
            chat.closedBy = "cliente"
        } else {
            chat.closedBy = "agente@ema.demo"
            chat.resolved = (h >> 32) % 5 != 0
        }
        if let closed = chat.closedAt, (h >> 40) % 4 != 0, closed.addingTimeInterval(60) <= (now ?? .distantFuture) {
            chat.rating = scores[Int((h >> 44) % UInt64(scores.count))]
            chat.ratedAt = closed.addingTimeInterval(60)
        }
        return chat
    }

    /// Two quejas, a reclamo and a petición (which the index does not count) per month, filed
    /// through the case service on their day, answered five business days later when that day
    /// has come, and the quejas rated. The submission key makes a second load find them.
    static func fileCases(_ app: Application, days: [CivilDate], now: Date) async throws -> Int {
        let contracts = try await Contract.query(on: app.db).filter(\.$status == ContractStatus.activo.rawValue).sort(\.$contractNumber).all()
        guard !contracts.isEmpty,
              let supervisor = try await StaffAccount.query(on: app.db).filter(\.$email == "supervisor@ema.demo").first()
        else { return 0 }
        let staff = StaffContext(accountID: try supervisor.requireID(), email: supervisor.email, name: supervisor.name, role: .supervisor, csrfToken: "", sessionID: UUID())
        let calendar = ColombianCalendar()
        let types: [CaseType] = [.queja, .reclamo, .queja, .peticion]
        var filed = 0
        for (index, day) in days.enumerated() where index % 2 == 0 {
            let h = hash("pqr|\(day)")
            let type = types[(index / 2) % types.count]
            let contract = contracts[Int(h % UInt64(contracts.count))]
            let at = Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 5 * 3_600 + 10 * 3_600)
            func service(at instant: Date) -> CaseService {
                var service = CaseService(database: app.db, clock: AppClock { instant })
                service.municipalities = app.utilityProfile?.municipalities ?? []
                return service
            }
            var draft = CaseDraft(type: type, channel: .oficina, description: "Caso de demostración para los indicadores de atención (\(type.title.lowercased())).")
            draft.contractNumber = contract.contractNumber
            draft.name = "Cliente de demostración"
            draft.recordedBy = staff.email
            draft.submissionKey = "demo-indicadores-\(day)"
            let result = try await service(at: at).file(draft)
            guard result.isNew else { continue }
            filed += 1
            let answeredAt = Date(timeIntervalSince1970: Double(calendar.adding(businessDays: 5, to: day).dayNumber) * 86_400 + 5 * 3_600 + 15 * 3_600)
            guard answeredAt <= now, let row = try await PQRCase.find(result.caseID, on: app.db) else { continue }
            try await service(at: answeredAt).answer(row, decision: h % 3 == 0 ? .noAccede : .accede, text: "Revisamos tu caso y te damos respuesta de fondo: esta es una respuesta de demostración.", by: staff)
            try await service(at: answeredAt).notified(row, kind: "aviso_web", proof: "Aviso publicado en la consulta de radicados (demostración).")
            let ratedAt = answeredAt.addingTimeInterval(86_400)
            if type == .queja, ratedAt <= now {
                try await service(at: ratedAt).rate(row, score: scores[Int((h >> 12) % UInt64(scores.count))], comment: nil)
            }
        }
        return filed
    }
}
