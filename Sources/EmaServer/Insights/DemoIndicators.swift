import EmaCore
import Fluent
import Foundation
import Vapor

/// A modest history for `ema serve --demo`, so the statistics page has something to show: for
/// the last three complete months and for today, turns attended at six offices, live chats
/// (answered sooner or later, solved or not, a few abandoned), quejas and reclamos answered, and
/// the survey answers that follow them; and the contact centre's calls (`DemoCalls`). Every value comes from the date and a stable hash, so
/// the same day gives the same data; loading twice adds nothing (fixed codes, keys and ids).
/// Nothing is left waiting: the advisors' queue and the offices' screens start empty.
enum DemoIndicators {
    struct Summary: Sendable, Equatable {
        var turns = 0
        var chats = 0
        var answers = 0
        var cases = 0
        var calls = 0
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
        var turns: [OfficeTurn] = []
        for turn in try await DemoTurns.history(days: days + (calendar.isBusinessDay(today) ? [today] : []), today: today, offices: offices, now: now, on: app.db) {
            turns.append(turn)
            if let office = offices.first(where: { $0.name == turn.office }), let answer = officeAnswer(turn, office: office, now: now) { answers.append(answer) }
        }
        var keys: [(key: String, requestedAt: Date)] = []
        for day in days {
            for place in 0..<3 {
                let at = day.startInBogota + Double(9 * 3_600 + Int(hash("hora|\(day)|\(place)") % (9 * 3_600)))
                keys.append(("\(day)-\(place)", at))
            }
        }
        // Today's, within the advisors' hours, once they have had time to end.
        var todays: [(key: String, requestedAt: Date)] = []
        for (place, minute) in todaysChats.enumerated() {
            let at = Date(timeIntervalSince1970: Double(today.dayNumber) * 86_400 + 5 * 3_600 + Double(minute * 60))
            if at.addingTimeInterval(20 * 60) <= now { todays.append(("\(today)-hoy-\(place)", at)) }
        }
        let chats = try await DemoChats.history(keys, now: nil, scores: scores, on: app.db) + DemoChats.history(todays, now: now, scores: scores, on: app.db)
        for chat in chats {
            if let score = chat.rating, let rated = chat.ratedAt {
                answers.append(answer(kind: .chat, subject: chat.id!.uuidString, channel: chat.channel, score: score, at: rated))
            }
        }
        try await app.db.writeTransaction { [turns, chats, answers] tx in
            try await DemoTurns.save(turns, on: tx)
            try await DemoChats.save(chats, on: tx)
            for answer in answers { try await answer.create(on: tx) }
        }
        summary.turns = turns.count
        summary.chats = chats.count
        summary.answers = answers.count
        summary.cases = try await fileCases(app, days: days, now: now)
        summary.calls = try await DemoCalls.load(into: app)
        summary.answers += try await DemoCampaign.load(into: app)
        return summary
    }

    static func hash(_ key: String) -> UInt64 { StableHash.fnv1a(key) }

    /// One attended turn in three gets rated an hour later (if that hour has come).
    static func officeAnswer(_ turn: OfficeTurn, office: UtilityProfile.Office, now: Date) -> SurveyResponse? {
        let h = hash("encuesta|\(turn.code)")
        guard turn.status == .attended, let end = turn.endedAt, h % 3 == 0 else { return nil }
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

    /// Quejas, reclamos, peticiones (which the index does not count) and suggestions (routed by
    /// their words, some leading to a change), filed
    /// through the case service on their day, answered five business days later when that day
    /// has come, and the quejas rated. The submission key makes a second load find them.
    static func fileCases(_ app: Application, days: [CivilDate], now: Date) async throws -> Int {
        let contracts = try await ContractDirectory(database: app.db).activeContracts()
        guard !contracts.isEmpty,
              let supervisor = try await StaffDirectory(database: app.db).account(email: "supervisor@ema.demo")
        else { return 0 }
        let staff = StaffContext(accountID: try supervisor.requireID(), email: supervisor.email, name: supervisor.name, role: .supervisor, csrfToken: "", sessionID: UUID())
        let calendar = ColombianCalendar()
        let types: [CaseType] = [.queja, .reclamo, .sugerencia, .queja, .peticion, .sugerencia]
        let suggestions = [
            "Sería bueno que la oficina diera turnos también los sábados en la mañana.",
            "Propongo que la factura explique mejor el cobro del alumbrado público.",
            "El chat de la página web podría avisar por WhatsApp cuando un asesor responde.",
            "Pongan más sillas en la sala de espera de la oficina, la fila es larga en las mañanas.",
        ]
        var filed = 0
        for (index, day) in days.enumerated() where index % 2 == 0 {
            let h = hash("pqr|\(day)")
            let type = types[(index / 2) % types.count]
            let contract = contracts[Int(h % UInt64(contracts.count))]
            let at = Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 5 * 3_600 + 10 * 3_600)
            func service(at instant: Date) -> CaseService {
                var service = CaseService(database: app.db, clock: AppClock { instant })
                service.municipalities = app.utilityProfile?.municipalities ?? []
                service.suggestionAreas = app.utilityProfile?.suggestionAreas ?? []
                return service
            }
            let text = type == .sugerencia ? suggestions[Int(h % UInt64(suggestions.count))] : "Caso de demostración para los indicadores de atención (\(type.title.lowercased()))."
            var draft = CaseDraft(type: type, channel: .oficina, description: text)
            // Classified as the desk would: a bill, the service, or the attention.
            if type != .sugerencia {
                let topics = CaseCatalog.topics.filter { $0.causal != CaseCatalog.unclassified }
                draft.causal = topics[Int((h >> 4) % UInt64(topics.count))].causal
                draft.service = ["energia", "agua", "gas"][Int((h >> 8) % 3)]
            }
            draft.contractNumber = contract.contractNumber
            draft.name = "Cliente de demostración"
            draft.recordedBy = staff.email
            draft.submissionKey = "demo-indicadores-\(day)"
            let result = try await service(at: at).file(draft)
            guard result.isNew else { continue }
            filed += 1
            let answeredAt = calendar.adding(businessDays: 5, to: day).startInBogota + 15 * 3_600
            guard answeredAt <= now, let row = try await service(at: answeredAt).find(id: result.caseID) else { continue }
            try await service(at: answeredAt).answer(row, decision: h % 3 == 0 ? .noAccede : .accede, text: "Revisamos tu caso y te damos respuesta de fondo: esta es una respuesta de demostración.", by: staff)
            try await service(at: answeredAt).notified(row, kind: "aviso_web", proof: "Aviso publicado en la consulta de radicados (demostración).")
            if type == .sugerencia, h % 3 != 2 {
                try await service(at: answeredAt).recordChange(row, ledToChange: h % 3 == 1, note: "Lo incluimos en el plan de mejora del próximo trimestre (demostración).", by: staff.email)
            }
            let ratedAt = answeredAt.addingTimeInterval(86_400)
            if type == .queja, ratedAt <= now {
                try await service(at: ratedAt).rate(row, score: scores[Int((h >> 12) % UInt64(scores.count))], comment: nil)
            }
        }
        return filed
    }
}
