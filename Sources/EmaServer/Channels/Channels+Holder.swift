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
        touched += try await sql.delete(from: JobRecord.schema).where("payload", .like, SQLBind("%\(phone)%"))
            .where("locked_until", .is, SQLLiteral.null).returning("id").all().count
        return touched
    }
}
