import EmaCore
import Fluent
import Foundation
import Vapor

enum DataRequestError: EmaError, Equatable {
    case notFound, alreadyAnswered, notAClaim, alreadyExtended, answerLength, termOver

    var status: HTTPResponseStatus {
        self == .notFound ? .notFound : .badRequest
    }

    var code: String {
        switch self {
        case .notFound: "data_request_not_found"
        case .alreadyAnswered: "data_request_answered"
        case .notAClaim: "not_a_claim"
        case .alreadyExtended: "already_extended"
        case .answerLength: "answer_length"
        case .termOver: "term_over"
        }
    }

    var reason: String {
        switch self {
        case .notFound: "No encontramos esa solicitud."
        case .alreadyAnswered: "Esa solicitud ya fue respondida."
        case .notAClaim: "Solo un reclamo se marca «reclamo en trámite»."
        case .alreadyExtended: "El término de esa solicitud ya se prorrogó una vez."
        case .answerLength: "Escribe la respuesta (entre 20 y 2.000 caracteres) y, si prorrogas, el motivo."
        case .termOver: "El término ya venció: la ley permite prorrogarlo solo antes de que se cumpla. Responde la solicitud."
        }
    }
}

/// The staff's side of the holders' requests: the «reclamo en trámite» mark, the one extension
/// the law allows, and the answer, sent on the channel the holder used.
struct DataRequestDesk {
    let database: any Database
    let clock: AppClock
    /// Writes the desk's steps to the back office's audit log.
    let auditLog: StaffService
    /// Sends the answer on the holder's channel.
    let notice: HolderNotice
    /// The utility's short name, for the SMS.
    let utilityName: String
    var calendar = ColombianCalendar()

    /// Ley 1581: a consulta may be extended 5 business days, a reclamo 8.
    static func extensionDays(_ kind: String) -> Int { kind == "consulta" ? 5 : 8 }

    func find(_ code: String) async throws -> DataRequest {
        guard let row = try await DataRequest.query(on: database).filter(\.$code == code).first() else { throw DataRequestError.notFound }
        return row
    }

    /// Open requests first (nearest term first), then the latest answered.
    func list() async throws -> [DataRequest] {
        let open = try await DataRequest.query(on: database).filter(\.$status != .answered).sort(\.$dueOn).all()
        let answered = try await DataRequest.query(on: database).filter(\.$status == .answered).sort(\.$receivedAt, .descending).limit(50).all()
        return open + answered
    }

    func markInProcess(_ code: String, by staff: StaffContext) async throws -> DataRequest {
        let row = try await find(code)
        guard row.status != .answered else { throw DataRequestError.alreadyAnswered }
        guard row.kind == "reclamo" else { throw DataRequestError.notAClaim }
        row.status = .inProcess
        row.inProcessAt = clock.now()
        try await row.save(on: database)
        try await auditLog.audit(staff.accountID, email: staff.email, "datos_tramite", subject: code, detail: "Marcado «reclamo en trámite».")
        return row
    }

    /// The extension, and whether its notice is on its way to the holder.
    func extend(_ code: String, reason: String, by staff: StaffContext) async throws -> (DataRequest, reach: Reach) {
        let row = try await find(code)
        guard row.status != .answered else { throw DataRequestError.alreadyAnswered }
        guard row.extendedDueOn == nil, let due = CivilDate(row.dueOn) else { throw DataRequestError.alreadyExtended }
        guard clock.today <= due else { throw DataRequestError.termOver }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 10 else { throw DataRequestError.answerLength }
        let until = calendar.adding(businessDays: Self.extensionDays(row.kind), to: due)
        row.extendedDueOn = until.description
        let text = "Necesitamos un poco más de tiempo: \(HolderNotice.parameter(reason, limit: 300)) Te responderemos a más tardar el \(until.displayName)."
        let reach = try await database.writeTransaction { [self] tx in
            try await row.save(on: tx)
            return try await notify(row, text, on: tx)
        }
        try await auditLog.audit(staff.accountID, email: staff.email, "datos_prorroga", subject: code, detail: "Prorrogada hasta \(until.description).")
        return (row, reach)
    }

    /// Whether an answer is on its way to the holder.
    enum Reach: Equatable {
        case sent
        /// The holder suppressed or changed their number since: they read it in the record.
        case noNumber
        /// Their channel (SMS) is not available on this node: they read it in the record.
        case channelUnavailable
    }

    /// The answer, and whether it is on its way to the holder; the answer and its notice commit
    /// together.
    func answer(_ code: String, text: String, by staff: StaffContext) async throws -> (DataRequest, reach: Reach) {
        let row = try await find(code)
        guard row.status != .answered else { throw DataRequestError.alreadyAnswered }
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (20...2_000).contains(text.count) else { throw DataRequestError.answerLength }
        row.status = .answered
        row.answer = text
        row.answeredAt = clock.now()
        row.answeredBy = staff.name
        let reach = try await database.writeTransaction { [self] tx in
            try await row.save(on: tx)
            return try await notify(row, text, on: tx)
        }
        let detail = switch reach {
        case .sent: "Solicitud respondida."
        case .noNumber: "Solicitud respondida; el titular ya no tiene número para avisarle."
        case .channelUnavailable: "Solicitud respondida; el SMS no está disponible para avisarle."
        }
        try await auditLog.audit(staff.accountID, email: staff.email, "datos_respuesta", subject: code, detail: detail)
        return (row, reach)
    }

    /// On the channel the holder used: a WhatsApp template (the 24-hour window may be closed)
    /// or an SMS, queued in `database` (the transaction of the change it tells).
    func notify(_ row: DataRequest, _ text: String, on database: any Database) async throws -> Reach {
        let name = utilityName
        switch try await notice.on(database).send(to: row.phone, byWhatsApp: row.channel == EmaCore.Channel.whatsapp.rawValue, template: {
            WhatsAppTemplate(name: "datos_respuesta", language: "es_CO", bodyParameters: [row.code, HolderNotice.parameter(text, limit: 900)])
        }, sms: {
            "\(name), solicitud \(row.code) sobre tus datos personales: \(HolderNotice.parameter(text, limit: 600))"
        }) {
        case .whatsapp, .sms: return .sent
        case .unreachable: return .noNumber
        case .smsUnavailable: return .channelUnavailable
        }
    }
}

extension Application {
    func dataRequestDesk() -> DataRequestDesk {
        DataRequestDesk(database: db, clock: clock, auditLog: staffService(), notice: holderNotice(),
                        utilityName: utilityProfile?.shortName ?? "Ema")
    }
}
