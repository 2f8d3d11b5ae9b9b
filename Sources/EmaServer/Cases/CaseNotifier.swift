import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Tells the customer about their case on the channel they used: an approved WhatsApp
/// template for WhatsApp filings, an SMS when they left a mobile number, otherwise a notice
/// ("aviso") published on the public status page. Every step is stored with its proof, in the
/// transaction of the change it tells (the notice leaves through its outbox once that commits).
struct CaseNotifier: Sendable {
    /// The node's database, or the transaction of the change told.
    let database: any Database
    let cases: CaseService
    let notice: HolderNotice
    let rateLimits: RateLimiter
    /// A queja's survey sets the WhatsApp conversation to read the rating.
    let chats: ChatService
    /// The utility's short name (it signs an SMS) and the public site's address (its links).
    let utilityName: String
    let publicURL: String
    let logger: Logger

    /// The same notifier over another database (a transaction).
    func on(_ other: any Database) -> CaseNotifier {
        CaseNotifier(database: other, cases: cases.on(other), notice: notice.on(other), rateLimits: RateLimiter(database: other, clock: rateLimits.clock, key: rateLimits.key),
                     chats: chats.on(other), utilityName: utilityName, publicURL: publicURL, logger: logger)
    }

    enum Kind: String {
        case whatsapp
        case sms
        case aviso = "aviso_web"
    }

    /// Records the answer and notifies it, in one transaction; then a queja's satisfaction survey
    /// on WhatsApp.
    func answer(_ row: PQRCase, decision: CaseDecision, text: String, by staff: StaffContext) async throws {
        try await database.writeTransaction { [self] tx in
            let inside = on(tx)
            try await inside.cases.answer(row, decision: decision, text: text, by: staff)
            try await inside.notifyAnswer(row)
        }
    }

    /// Extends the term and tells the customer, in one transaction.
    func extend(_ row: PQRCase, reason: String, by actor: String) async throws {
        try await database.writeTransaction { [self] tx in
            let inside = on(tx)
            let until = try await inside.cases.extend(row, reason: reason, by: actor)
            try await inside.notifyExtension(row, until: until, reason: reason)
        }
    }

    /// Files a case; a new one's radicado and code go by SMS to the mobile it names, queued in
    /// the filing's own transaction.
    func file(_ draft: CaseDraft) async throws -> (filed: CaseService.Filed, sms: FiledSMS) {
        let (type, phone) = (draft.type, draft.phone)
        let (filed, sms) = try await cases.file(draft) { [self] filed, tx in
            try await on(tx).notifyFiled(filed, type: type, phone: phone)
        }
        return (filed, sms ?? .none)
    }

    /// The SMS that tells a customer their case was answered (the answer itself is read on the
    /// public lookup, with the code).
    func answerSMS(_ row: PQRCase, decision: CaseDecision) -> String {
        "\(utilityName): respondimos tu \(row.typeValue.title.lowercased()) con radicado \(row.radicado). Decisión: \(decision.title). Consulta la respuesta con tu código en \(publicURL)/radicado?numero=\(row.radicado)"
    }

    /// How an answer will reach the customer, for the agent who is about to send it.
    func answerRoute(_ row: PQRCase, decision: CaseDecision) -> (how: String, message: String?) {
        guard let phone = row.phone else {
            return ("El cliente no dejó celular: la respuesta queda publicada en la consulta de radicados (\(publicURL)/radicado), donde la lee con su código.", nil)
        }
        if row.channelValue != .whatsapp, !notice.sms.available {
            return ("El servicio de mensajes de texto no está disponible en este momento: la respuesta quedará publicada en la consulta de radicados, donde el cliente la lee con su código.", nil)
        }
        if row.channelValue == .whatsapp {
            return ("Por WhatsApp al \(Masking.mobileHint(phone)): el tipo, el radicado, la decisión y el comienzo de la respuesta (600 caracteres), con un botón a la consulta de radicados, donde queda completa.", nil)
        }
        return ("Por mensaje de texto al \(Masking.mobileHint(phone)); el texto completo queda en la consulta de radicados.", answerSMS(row, decision: decision))
    }

    /// Notifies an answer; then a queja's satisfaction survey on WhatsApp.
    private func notifyAnswer(_ row: PQRCase) async throws {
        let decision = row.decisionValue ?? .accede
        let type = row.typeValue.title.lowercased()
        let outcome = try await notice.send(to: row.phone, byWhatsApp: row.channelValue == .whatsapp) {
            WhatsAppTemplate(
                name: "pqr_respuesta", language: "es_CO",
                bodyParameters: [type, row.radicado, decision.title, HolderNotice.parameter(row.answer ?? "", limit: 600)],
                urlButtonSuffix: row.radicado, callbackData: "radicado:\(row.radicado)"
            )
        } sms: {
            answerSMS(row, decision: decision)
        }
        let (kind, proof) = described(outcome, template: "pqr_respuesta", phone: row.phone, notice: "Publicada en la consulta de radicados (\(publicURL)/radicado).")
        try await cases.notified(row, kind: kind.rawValue, proof: proof)
        if row.typeValue == .queja, row.channelValue == .whatsapp, let phone = row.phone {
            try await askSurvey(row, phone: phone)
        }
    }

    /// SMS with a radicado one number may get in an hour, whoever files: a form naming
    /// someone else's mobile must not become a way to flood it.
    static let filingSMSPerNumber = RateLimit("pqr.sms.numero", limit: 3, window: 3_600)

    /// What became of the SMS with the radicado, for the page that shows it.
    enum FiledSMS: Equatable {
        /// No mobile given, or a repeated filing (its SMS went the first time).
        case none
        case sent(to: String)
        /// The number already got `filingSMSPerNumber` this hour.
        case limited
        case failed
    }

    /// Queues the radicado and its code by SMS for a customer who filed on a page (or through an
    /// agent) and left a mobile; in a chat Ema says them in the conversation.
    private func notifyFiled(_ filed: CaseService.Filed, type: CaseType, phone: String?) async throws -> FiledSMS {
        guard filed.isNew, let phone = phone.flatMap(ColombianMobile.e164) else { return .none }
        let outcome: FiledSMS
        let proof: String
        if try await rateLimits.take(Self.filingSMSPerNumber, phone) != nil {
            (outcome, proof) = (.limited, "SMS no enviado: el número ya recibió \(Self.filingSMSPerNumber.limit) en la última hora.")
        } else {
            let body = "\(utilityName): radicamos \(type.withArticle) con el número \(filed.radicado). Código de consulta: \(filed.code). Te responderemos a más tardar el \(filed.dueOn.displayName). Consúltala en \(publicURL)/radicado?numero=\(filed.radicado)"
            let (kind, sent) = described(try await notice.text(body, to: phone), template: "", phone: phone, notice: "")
            (outcome, proof) = (kind == .sms ? .sent(to: phone) : .failed, "Radicado para el cliente. \(sent)")
        }
        try await CaseEvent(caseID: filed.caseID, at: cases.clock.now(), actor: "sistema", kind: "constancia", detail: proof, isPublic: false).create(on: database)
        return outcome
    }

    /// Notifies an extension of the term, before the original term ends.
    private func notifyExtension(_ row: PQRCase, until: CivilDate, reason: String) async throws {
        let outcome = try await notice.send(to: row.phone, byWhatsApp: row.channelValue == .whatsapp) {
            WhatsAppTemplate(
                name: "pqr_prorroga", language: "es_CO",
                bodyParameters: [row.radicado, HolderNotice.parameter(reason, limit: 300), until.nameWithWeekday],
                callbackData: "radicado:\(row.radicado)"
            )
        } sms: {
            "\(utilityName): tu solicitud con radicado \(row.radicado) se responderá a más tardar el \(until.nameWithWeekday). Motivo: \(HolderNotice.parameter(reason, limit: 200))"
        }
        let proof = described(outcome, template: "pqr_prorroga", phone: row.phone, notice: "Publicada en la consulta de radicados.").1
        try await cases.record(row, on: database, actor: "sistema", kind: "notificacion", detail: "Prórroga notificada. \(proof)", isPublic: false)
    }

    /// How the notice left, as the case's history records it.
    private func described(_ outcome: HolderNotice.Outcome, template: String, phone: String?, notice: String) -> (Kind, String) {
        switch outcome {
        case .whatsapp(let id):
            return (.whatsapp, "Plantilla \(template) en cola (mensaje \(id)).")
        case .sms(let id):
            return (.sms, "SMS a \(Masking.phone(phone ?? "")) en cola (mensaje \(id)).")
        case .smsUnavailable:
            logger.warning("No hay proveedor de SMS para avisar de una PQR; queda el aviso en la página")
            return (.aviso, "No hay servicio de SMS disponible para \(Masking.phone(phone ?? "")); publicada en la consulta de radicados.")
        case .unreachable:
            return (.aviso, notice)
        }
    }

    /// The survey template, and the conversation set to read the next 1–5 as the rating.
    private func askSurvey(_ row: PQRCase, phone: String) async throws {
        let template = WhatsAppTemplate(name: "pqr_encuesta", language: "es_CO", bodyParameters: [row.radicado], callbackData: "encuesta:\(row.radicado)")
        try await notice.whatsApp.queueTemplate(template, to: phone)
        try await chats.update("wa:" + phone) { state in
            state.pendingSurvey = row.radicado
            state.surveyScore = nil
            return true
        }
    }
}

extension Application {
    /// The notices of cases over `database` (by default this node's database).
    func caseNotifier(database: (any Database)? = nil) -> CaseNotifier {
        let database = database ?? db
        return CaseNotifier(database: database, cases: caseService(database: database), notice: holderNotice(database: database),
                            rateLimits: RateLimiter(database: database, clock: clock, key: rateLimitKey), chats: chatService(database: database),
                            utilityName: utilityProfile?.shortName ?? "Ema", publicURL: emaConfig.publicURL, logger: logger)
    }
}
