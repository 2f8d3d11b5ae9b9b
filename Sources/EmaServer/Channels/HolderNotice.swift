import EmaCore
import Foundation
import Vapor

/// A word to a customer on the channel they used — the answer to a PQR or to a personal-data
/// request, a term extended: an approved WhatsApp template when they came by WhatsApp (the
/// 24-hour window may have closed), otherwise an SMS to the mobile they left. Written once
/// here for Cases (`CaseNotifier`) and Privacy (`DataRequestDesk`).
struct HolderNotice {
    let application: Application

    enum Outcome {
        /// The template is in the outbox (its message id).
        case whatsapp(UUID)
        /// The provider took the SMS (its id there).
        case sms(String)
        case smsFailed(any Error)
        /// No number to write to.
        case unreachable
    }

    /// `template` when the customer came by WhatsApp, else `sms`; each built only if used.
    func send(to phone: String?, byWhatsApp: Bool, template: () -> WhatsAppTemplate, sms: () -> String) async throws -> Outcome {
        guard let phone else { return .unreachable }
        if byWhatsApp {
            return .whatsapp(try await WhatsAppService(application: application).queueTemplate(template(), to: phone))
        }
        return await text(sms(), to: phone)
    }

    /// An SMS, whatever the channel (the radicado and its code after a filing on a page).
    func text(_ body: String, to phone: String) async -> Outcome {
        do {
            return .sms(try await application.sms.send(to: phone, body: body).providerID)
        } catch {
            return .smsFailed(error)
        }
    }

    /// Meta refuses template parameters with line breaks, tabs or long runs of spaces; an SMS
    /// reads better without them too. Cut at `limit` characters with an ellipsis.
    static func parameter(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline || $0 == "\t" || $0 == " " }).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}
