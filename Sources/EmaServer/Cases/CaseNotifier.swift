import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Tells the customer about their case on the channel they used: an approved WhatsApp
/// template for WhatsApp filings, an SMS when they left a mobile number, otherwise a notice
/// ("aviso") published on the public status page. Every step is stored with its proof.
struct CaseNotifier {
    let application: Application

    enum Kind: String {
        case whatsapp
        case sms
        case aviso = "aviso_web"
    }

    static func parameter(_ text: String, limit: Int) -> String { HolderNotice.parameter(text, limit: limit) }

    /// Notifies an answer; then a queja's satisfaction survey on WhatsApp.
    func notifyAnswer(_ row: PQRCase) async throws {
        let decision = row.decisionValue?.title ?? ""
        let type = row.typeValue.title.lowercased()
        let outcome = try await HolderNotice(application: application).send(to: row.phone, byWhatsApp: row.channelValue == .whatsapp) {
            WhatsAppTemplate(
                name: "pqr_respuesta", language: "es_CO",
                bodyParameters: [type, row.radicado, decision, Self.parameter(row.answer ?? "", limit: 600)],
                urlButtonSuffix: row.radicado, callbackData: "radicado:\(row.radicado)"
            )
        } sms: {
            "\(application.utilityProfile?.shortName ?? "Ema"): respondimos tu \(type) radicado \(row.radicado). Decisión: \(decision). Consulta la respuesta con tu código en \(application.emaConfig.publicURL)/radicado?numero=\(row.radicado)"
        }
        let (kind, proof) = described(outcome, template: "pqr_respuesta", phone: row.phone, notice: "Publicada en la consulta de radicados (\(application.emaConfig.publicURL)/radicado).")
        try await application.caseService().notified(row, kind: kind.rawValue, proof: proof)
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

    /// Sends the radicado and its code by SMS to a customer who filed on a page (or through an
    /// agent) and left a mobile; in a chat Ema says them in the conversation.
    @discardableResult
    func notifyFiled(_ filed: CaseService.Filed, type: CaseType, phone: String?) async throws -> FiledSMS {
        guard filed.isNew, let phone = phone.flatMap(ColombianMobile.e164) else { return .none }
        let outcome: FiledSMS
        let proof: String
        if try await application.rateLimits.take(Self.filingSMSPerNumber, phone) != nil {
            (outcome, proof) = (.limited, "SMS no enviado: el número ya recibió \(Self.filingSMSPerNumber.limit) en la última hora.")
        } else {
            let body = "\(application.utilityProfile?.shortName ?? "Ema"): radicamos \(type.withArticle) con el número \(filed.radicado). Código de consulta: \(filed.code). Te responderemos a más tardar el \(filed.dueOn.displayName). Consúltala en \(application.emaConfig.publicURL)/radicado?numero=\(filed.radicado)"
            let (kind, sent) = described(await HolderNotice(application: application).text(body, to: phone), template: "", phone: phone, notice: "")
            (outcome, proof) = (kind == .sms ? .sent(to: phone) : .failed, "Radicado enviado al cliente. \(sent)")
        }
        if let row = try await PQRCase.find(filed.caseID, on: application.db) {
            try await application.caseService().record(row, on: application.db, actor: "sistema", kind: "constancia", detail: proof, isPublic: false)
        }
        return outcome
    }

    /// Notifies an extension of the term, before the original term ends.
    func notifyExtension(_ row: PQRCase, until: CivilDate, reason: String) async throws {
        let outcome = try await HolderNotice(application: application).send(to: row.phone, byWhatsApp: row.channelValue == .whatsapp) {
            WhatsAppTemplate(
                name: "pqr_prorroga", language: "es_CO",
                bodyParameters: [row.radicado, Self.parameter(reason, limit: 300), until.nameWithWeekday],
                callbackData: "radicado:\(row.radicado)"
            )
        } sms: {
            "\(application.utilityProfile?.shortName ?? "Ema"): tu solicitud radicado \(row.radicado) se responderá a más tardar el \(until.nameWithWeekday). Motivo: \(Self.parameter(reason, limit: 200))"
        }
        let proof = described(outcome, template: "pqr_prorroga", phone: row.phone, notice: "Publicada en la consulta de radicados.").1
        try await application.caseService().record(row, on: application.db, actor: "sistema", kind: "notificacion", detail: "Prórroga notificada. \(proof)", isPublic: false)
    }

    /// How the notice left, as the case's history records it.
    private func described(_ outcome: HolderNotice.Outcome, template: String, phone: String?, notice: String) -> (Kind, String) {
        switch outcome {
        case .whatsapp(let id):
            return (.whatsapp, "Plantilla \(template) en cola (mensaje \(id)).")
        case .sms(let providerID):
            return (.sms, "SMS a \(Masking.phone(phone ?? "")) (\(providerID)).")
        case .smsFailed(let error):
            application.logger.warning("No se pudo enviar el SMS de una PQR; queda el aviso en la página", metadata: ["error": .string(String(describing: error))])
            return (.aviso, "El SMS a \(Masking.phone(phone ?? "")) falló; publicada en la consulta de radicados.")
        case .unreachable:
            return (.aviso, notice)
        }
    }

    /// The survey template, and the conversation set to read the next 1–5 as the rating.
    func askSurvey(_ row: PQRCase, phone: String) async throws {
        let template = WhatsAppTemplate(name: "pqr_encuesta", language: "es_CO", bodyParameters: [row.radicado], callbackData: "encuesta:\(row.radicado)")
        try await WhatsAppService(application: application).queueTemplate(template, to: phone)
        try await ChatService(application: application).update("wa:" + phone) { state in
            state.pendingSurvey = row.radicado
            state.surveyScore = nil
            return true
        }
    }
}
