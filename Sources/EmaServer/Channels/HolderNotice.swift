import EmaCore
import Fluent
import Foundation
import Vapor

/// A word to a customer on the channel they used — the answer to a PQR or to a personal-data
/// request, a term extended: an approved WhatsApp template when they came by WhatsApp (the
/// 24-hour window may have closed), otherwise an SMS to the mobile they left. Both leave through
/// their outbox, in the caller's transaction: the change that causes the notice and the notice
/// commit together. Written once here for Cases (`CaseNotifier`) and Privacy (`DataRequestDesk`).
struct HolderNotice: Sendable {
    let whatsApp: WhatsAppService
    let sms: SMSOutbox

    /// The same notices over another database (a transaction).
    func on(_ database: any Database) -> HolderNotice {
        HolderNotice(whatsApp: whatsApp.on(database), sms: sms.on(database))
    }

    enum Outcome: Equatable {
        /// The template is in the WhatsApp outbox (its message id).
        case whatsapp(UUID)
        /// The text is in the SMS outbox (its message id).
        case sms(UUID)
        /// No SMS provider on this node: nothing was queued.
        case smsUnavailable
        /// No number to write to.
        case unreachable
    }

    /// `template` when the customer came by WhatsApp, else `sms`; each built only if used.
    func send(to phone: String?, byWhatsApp: Bool, template: () -> WhatsAppTemplate, sms: () -> String) async throws -> Outcome {
        guard let phone else { return .unreachable }
        if byWhatsApp {
            return .whatsapp(try await whatsApp.queueTemplate(template(), to: phone))
        }
        return try await text(sms(), to: phone)
    }

    /// An SMS, whatever the channel (the radicado and its code after a filing on a page).
    func text(_ body: String, to phone: String) async throws -> Outcome {
        do {
            return .sms(try await sms.queue(body, to: phone, purpose: "aviso"))
        } catch SMSError.notConfigured {
            return .smsUnavailable
        }
    }

    /// Meta refuses template parameters with line breaks, tabs or long runs of spaces; an SMS
    /// reads better without them too. Cut at `limit` characters with an ellipsis.
    static func parameter(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline || $0 == "\t" || $0 == " " }).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}

extension Application {
    /// Notices to holders over `database` (the transaction of the change that causes them).
    func holderNotice(database: (any Database)? = nil) -> HolderNotice {
        HolderNotice(whatsApp: whatsAppService(database: database), sms: smsOutbox(database: database))
    }
}
