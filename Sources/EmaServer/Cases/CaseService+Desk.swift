import EmaCore
import Fluent
import Foundation
import SQLKit

/// The desk's work on a filed case (assign, note, classify, extend, answer, notify, rate) and
/// the hourly deadline alerts; every step is recorded in the case's history.
extension CaseService {
    // MARK: Work on a case

    func record(_ row: PQRCase, on database: any Database, actor: String, kind: String, detail: String, isPublic: Bool) async throws {
        try await CaseEvent(caseID: row.requireID(), at: clock.now(), actor: actor, kind: kind, detail: detail, isPublic: isPublic).create(on: database)
    }

    /// Assigns the case to a staff member; an open case becomes "en trámite". `taking`: only if
    /// nobody has it yet (two agents taking at once: one wins, the other gets `notYours`).
    func assign(_ row: PQRCase, to account: StaffAccount, by actor: String, taking: Bool = false) async throws {
        guard row.statusValue.isOpen else { throw CaseError.alreadyAnswered }
        let previous = row.assignedName
        row.assignedTo = try account.requireID()
        row.assignedName = account.name
        row.status = CaseStatus.enTramite.rawValue
        let id = try row.requireID()
        try await database.writeTransaction { tx in
            if taking {
                let claimed = try await tx.sql.update(PQRCase.schema).set("assigned_to", to: SQLBind(account.requireID()))
                    .where("id", .equal, SQLBind(id)).where("assigned_to", .is, SQLLiteral.null).returning("id").all()
                guard !claimed.isEmpty else { throw CaseError.notYours }
            }
            try await row.save(on: tx)
            let detail = previous.map { "Reasignada de \($0) a \(account.name)." } ?? "Asignada a \(account.name)."
            try await record(row, on: tx, actor: actor, kind: "asignacion", detail: detail, isPublic: false)
        }
    }

    func note(_ row: PQRCase, text: String, by actor: String) async throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...5_000).contains(text.count) else { throw CaseError.noteLength }
        try await record(row, on: database, actor: actor, kind: "nota", detail: text, isPublic: false)
    }

    /// Changes the classification an agent corrects (type stays: it fixed the term).
    func classify(_ row: PQRCase, causal: String, service: String?, municipality: String?, priority: Bool, by actor: String) async throws {
        guard causal == CaseCatalog.unclassified || CaseCatalog.causal(causal) != nil else { throw CaseError.unknownCausal }
        if let service, UtilityService(rawValue: service) == nil { throw CaseError.unknownService }
        var changes: [String] = []
        if row.causal != causal { changes.append("causal \(row.causal) → \(causal)"); row.causal = causal }
        if row.service != service { changes.append("servicio \(row.service ?? "—") → \(service ?? "—")"); row.service = service }
        if let municipality, !municipality.isEmpty, row.municipality != municipality {
            if !municipalities.isEmpty, !municipalities.contains(municipality) { throw CaseError.unknownMunicipality }
            changes.append("municipio \(row.municipality ?? "—") → \(municipality)"); row.municipality = municipality
        }
        if row.priority != priority { changes.append(priority ? "marcada como atención preferencial" : "sin atención preferencial"); row.priority = priority }
        guard !changes.isEmpty else { return }
        let detail = "Clasificación: " + changes.joined(separator: "; ") + "."
        try await database.writeTransaction { tx in
            try await row.save(on: tx)
            try await record(row, on: tx, actor: actor, kind: "clasificacion", detail: detail, isPublic: false)
        }
    }

    /// Extends the term once (Ley 1755: to at most double, with notice before it ends).
    func extend(_ row: PQRCase, reason: String, by actor: String) async throws -> CivilDate {
        let today = clock.today
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard row.statusValue.isOpen, row.extendedDueOn == nil, let filed = CivilDate(row.filedOn),
              let extended = deadlines.extended(filed: filed, term: row.term, noticeOn: today)
        else { throw CaseError.extensionNotAllowed }
        guard (10...2_000).contains(reason.count) else { throw CaseError.reasonLength }
        row.extendedDueOn = extended.description
        row.alertedOn = nil
        try await database.writeTransaction { tx in
            try await row.save(on: tx)
            try await record(row, on: tx, actor: actor, kind: "prorroga", detail: "Término prorrogado hasta el \(extended.nameWithWeekday). Motivo: \(reason)", isPublic: true)
        }
        return extended
    }

    /// Records the answer and its decision; the caller notifies it.
    /// What an answer must be, before it is previewed or saved: the case still open, taken by the
    /// agent who answers it (supervisors answer any), 20 to 10,000 characters. The text, trimmed.
    func checkedAnswer(_ row: PQRCase, text: String, by account: StaffContext) throws -> String {
        guard row.statusValue.isOpen else { throw CaseError.alreadyAnswered }
        if account.role == .agente, row.assignedTo == nil { throw CaseError.takeFirst }
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (20...10_000).contains(text.count) else { throw CaseError.answerLength }
        return text
    }

    func answer(_ row: PQRCase, decision: CaseDecision, text: String, by account: StaffContext) async throws {
        let text = try checkedAnswer(row, text: text, by: account)
        let now = clock.now()
        let today = CivilDate(bogotaAt: now.timeIntervalSince1970)
        guard let filed = CivilDate(row.filedOn), let due = CivilDate(row.effectiveDue) else { throw CaseError.caseNotFound }
        row.decision = decision.rawValue
        row.answer = text
        row.answeredAt = now
        row.answeredOn = today.description
        row.answeredBy = account.name
        row.businessDaysToAnswer = calendar.businessDays(from: filed, to: today)
        row.answeredOnTime = !(due < today)
        row.status = CaseStatus.respondido.rawValue
        if row.assignedTo == nil { row.assignedTo = account.accountID; row.assignedName = account.name }
        let id = try row.requireID()
        try await database.writeTransaction { tx in
            // Conditional on the case still open: a second «Confirmar» (a double click, or
            // someone else at the same time) finds it answered, and its notice rolls back with it.
            let open = [CaseStatus.radicado.rawValue, CaseStatus.enTramite.rawValue]
            let claimed = try await tx.sql.update(PQRCase.schema).set("status", to: SQLBind(CaseStatus.respondido.rawValue))
                .where("id", .equal, SQLBind(id)).where("status", .in, SQLBind.group(open)).returning("id").all()
            guard !claimed.isEmpty else { throw CaseError.alreadyAnswered }
            try await row.save(on: tx)
            try await record(row, on: tx, actor: account.email, kind: "respuesta", detail: "Respondida: \(decision.title).", isPublic: true)
        }
    }

    /// Stores how the answer reached the customer; a decision against them opens the window for
    /// a recurso from this day.
    func notified(_ row: PQRCase, kind: String, proof: String) async throws {
        let now = clock.now()
        let today = CivilDate(bogotaAt: now.timeIntervalSince1970)
        row.notifiedAt = now
        row.notifiedOn = today.description
        row.notificationKind = kind
        if row.decisionValue?.appealable == true, row.typeValue != .recursoApelacion {
            row.appealUntil = deadlines.appealWindowEnd(notified: today).description
        }
        try await database.writeTransaction { tx in
            try await row.save(on: tx)
            try await record(row, on: tx, actor: "sistema", kind: "notificacion", detail: "Respuesta notificada \(Self.notificationTitle(kind)).", isPublic: true)
            try await record(row, on: tx, actor: "sistema", kind: "constancia", detail: proof, isPublic: false)
        }
    }

    static func notificationTitle(_ kind: String) -> String {
        switch kind {
        case "whatsapp": "por WhatsApp"
        case "sms": "por mensaje de texto (SMS)"
        default: "por aviso en la consulta de radicados"
        }
    }

    /// What each kind of event is called in the history.
    static func eventTitle(_ kind: String) -> String {
        switch kind {
        case "radicado": "Radicación"
        case "asignacion": "Asignación"
        case "nota": "Nota interna"
        case "clasificacion": "Clasificación"
        case "prorroga": "Prórroga"
        case "respuesta": "Respuesta"
        case "notificacion": "Notificación"
        case "constancia": "Constancia de notificación"
        case "encuesta": "Encuesta"
        case "alerta": "Alerta de vencimiento"
        case "silencio_positivo": "Silencio administrativo positivo"
        case "remitida": "Remisión al área"
        case "cambio": "Resultado de la sugerencia"
        default: kind
        }
    }

    /// The customer's rating of an answered queja (1–5 and an optional comment), once.
    func rate(_ row: PQRCase, score: Int, comment: String?) async throws {
        guard row.typeValue == .queja, row.statusValue == .respondido, row.satisfaction == nil else { throw CaseError.surveyNotOpen }
        guard (1...5).contains(score) else { throw CaseError.invalidScore }
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(1_000).description
        row.satisfaction = score
        row.satisfactionComment = comment?.isEmpty == true ? nil : comment
        row.satisfactionAt = clock.now()
        try await database.writeTransaction { tx in
            try await row.save(on: tx)
            try await record(row, on: tx, actor: "cliente", kind: "encuesta", detail: "Satisfacción con la atención: \(score) de 5.", isPublic: false)
            // The same answer feeds the satisfaction indicators.
            try await SurveyService(database: tx, clock: clock).record(.init(
                kind: .queja, subject: row.radicado, channel: row.notificationKind == "whatsapp" ? "whatsapp" : "web", score: score,
                comment: row.satisfactionComment, municipality: row.municipality, segment: row.segment
            ))
        }
    }

    // MARK: Alerts

    struct AlertRun: Sendable, Equatable {
        var dueSoon = 0
        var positiveSilence = 0
    }

    /// Flags open cases due within two business days (once), and service cases past their
    /// term as "silencio administrativo positivo" (the company must recognize it in 72 hours).
    func raiseAlerts() async throws -> AlertRun {
        let today = clock.today
        let horizon = calendar.adding(businessDays: Self.alertBusinessDays, to: today)
        var run = AlertRun()
        let open = try await PQRCase.query(on: database)
            .filter(\.$status ~~ [CaseStatus.radicado.rawValue, CaseStatus.enTramite.rawValue])
            .filter(\.$dueOn <= horizon.description)
            .all()
        for row in open {
            guard let due = CivilDate(row.effectiveDue) else { continue }
            if due < today {
                guard row.term.positiveSilence, !row.positiveSilence else { continue }
                row.positiveSilence = true
                try await database.writeTransaction { tx in
                    try await row.save(on: tx)
                    try await record(row, on: tx, actor: "sistema", kind: "silencio_positivo", detail: "Venció el término sin respuesta (\(due.displayName)): silencio administrativo positivo. La empresa debe reconocer sus efectos dentro de las 72 horas siguientes.", isPublic: false)
                }
                run.positiveSilence += 1
            } else if !(horizon < due), row.alertedOn == nil {
                row.alertedOn = today.description
                try await database.writeTransaction { tx in
                    try await row.save(on: tx)
                    try await record(row, on: tx, actor: "sistema", kind: "alerta", detail: "Vence el \(due.displayName): quedan \(calendar.businessDays(from: today, to: due)) días hábiles.", isPublic: false)
                }
                run.dueSoon += 1
            }
        }
        return run
    }
}
