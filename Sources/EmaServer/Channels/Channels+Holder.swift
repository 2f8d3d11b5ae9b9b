import Fluent
import Foundation
import SQLKit

/// What the channels keep of a number: WhatsApp messages in and out, their statuses, the
/// verification codes (hashed), text messages sent or waiting, the sandbox inboxes and jobs
/// that would still write to it.
/// Suppression deletes all of it, which also stops any WhatsApp message not yet sent. The
/// number's row in `whatsapp_senders` (its turn lock and the 24-hour window) stays until
/// `ForgetNumberJob`, once Ema's farewell is out.
struct ChannelHolderRecords: HolderRecords {
    let title = "Mensajes de WhatsApp y SMS"

    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry] {
        let phone = holder.phone
        let received = try await WhatsAppInbound.query(on: database).filter(\.$sender == phone).count()
        let sent = try await WhatsAppOutboxMessage.query(on: database).filter(\.$recipient == phone).count()
        let codes = try await VerificationCode.query(on: database).filter(\.$phone == phone).sort(\.$issuedAt).all()
        var entries: [HolderCopy.Entry] = []
        if received + sent > 0 {
            entries.append(.init(label: "Mensajes de WhatsApp", details: ["Recibidos de tu número: \(received)", "Enviados a tu número: \(sent)"]))
        }
        if !codes.isEmpty {
            entries.append(.init(label: "Códigos de verificación por SMS", details: codes.map {
                "Enviado el \($0.issuedAt.bogotaStamp) (guardamos solo una huella, nunca el código)"
            }))
        }
        return entries
    }

    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int {
        let phone = holder.phone
        let sql = database.sql
        let wamids = try await WhatsAppOutboxMessage.query(on: database).filter(\.$recipient == phone).all().compactMap(\.wamid)
        var touched = 0
        if !wamids.isEmpty {
            touched += try await sql.delete(from: WhatsAppMessageStatus.schema).where("wamid", .in, SQLBind.group(wamids)).returning("wamid").all().count
        }
        touched += try await sql.delete(from: WhatsAppOutboxMessage.schema).where("recipient", .equal, SQLBind(phone))
            .where("state", .notEqual, SQLBind(WhatsAppOutboxMessage.State.sending.rawValue)).returning("id").all().count
        touched += try await sql.delete(from: WhatsAppInbound.schema).where("sender", .equal, SQLBind(phone)).returning("wamid").all().count
        touched += try await sql.delete(from: VerificationCode.schema).where("phone", .equal, SQLBind(phone)).returning("id").all().count
        touched += try await sql.delete(from: SandboxMessage.schema).where("recipient", .equal, SQLBind(phone)).returning("id").all().count
        // Text messages sent or waiting (a waiting one's job finds nothing and ends).
        touched += try await sql.delete(from: SMSOutbox.schema).where("recipient", .equal, SQLBind(phone)).returning("id").all().count
        touched += try await JobQueue(database: database, clock: .system).forget(mentioning: phone)
        return touched
    }
}

extension ChannelHolderRecords: ExpiringRecords {
    /// WhatsApp messages handled (in) or finished (out, conversation lane) before the term, the
    /// sandbox inboxes, the codes' records; and text messages after a day (their proof is kept
    /// a day; a code lives ten minutes; one never sent goes too).
    func purge(_ terms: RetentionTerms, on database: any Database) async throws -> RetentionJob.Removed {
        let sql = database.sql
        var removed = RetentionJob.Removed()
        removed.whatsAppMessages = try await sql.delete(from: WhatsAppInbound.schema).where("received_at", .lessThan, SQLBind(terms.transcriptsBefore))
            .where("state", .equal, SQLBind(WhatsAppInbound.State.done.rawValue)).returning("wamid").all().count
        removed.whatsAppMessages += try await sql.delete(from: WhatsAppOutboxMessage.schema).where("updated_at", .lessThan, SQLBind(terms.transcriptsBefore))
            .where("lane", .equal, SQLBind(WhatsAppOutboxMessage.Lane.conversation.rawValue))
            .where("state", .in, SQLBind.group([WhatsAppOutboxMessage.State.sent.rawValue, WhatsAppOutboxMessage.State.failed.rawValue]))
            .returning("id").all().count
        removed.sandboxMessages = try await sql.delete(from: SandboxMessage.schema).where("created_at", .lessThan, SQLBind(terms.transcriptsBefore))
            .returning("id").all().count
        removed.codes = try await sql.delete(from: VerificationCode.schema).where("issued_at", .lessThan, SQLBind(terms.codesBefore)).returning("id").all().count
        try await sql.delete(from: SMSOutbox.schema).where("created_at", .lessThan, SQLBind(terms.now.addingTimeInterval(-86_400))).run()
        return removed
    }
}
