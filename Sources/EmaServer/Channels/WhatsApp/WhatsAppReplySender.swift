import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The conversation lane of the outbox: each number's replies leave in order under its send
/// lease. A reply whose sending was cut off (the node died between the call and its answer) is
/// `uncertain`: its status webhook settles it (Meta has it), or after
/// `WHATSAPP_RESEND_GRACE_SECONDS` without one it is sent again; the replies after it wait.
extension WhatsAppService {
    typealias State = WhatsAppOutboxMessage.State
    static let replyCallbackPrefix = "salida:"

    /// The job body: sends everything queued for a number, oldest first, under the number's send
    /// lease (order across batches) and the process-wide rate limit.
    @Sendable static func send(_ context: JobContext, _ payload: String) async throws {
        let recipient = try JSONDecoder().decode(SendPayload.self, from: Data(payload.utf8)).recipient
        let service = WhatsAppService(application: context.application)
        try await service.withLease(of: recipient, prefix: "send_", worker: UUID().uuidString) {
            while let next = try await WhatsAppOutboxMessage.query(on: service.database)
                .filter(\.$recipient == recipient)
                // A literal, so the partial index of the conversation lane applies.
                .filter(.sql(unsafeRaw: "lane = 'conversation'"))
                .filter(\.$state ~~ [State.queued.rawValue, State.sending.rawValue, State.uncertain.rawValue])
                .sort(\.$createdAt).first() {
                // An interrupted reply holds the ones after it, so they never arrive before it.
                guard try await service.sendOne(try next.requireID(), logger: context.logger) else { return }
            }
        }
    }

    /// Sends one message; false when it is uncertain (an earlier attempt died between the call
    /// and its result, so it may have gone out): it waits for its status or the grace.
    func sendOne(_ id: UUID, logger: Logger) async throws -> Bool {
        guard let row = try await WhatsAppOutboxMessage.find(id, on: database) else { return true }
        switch State(rawValue: row.state) {
        case .sent, .failed: return true
        case .uncertain: return false
        case .sending:
            row.state = State.uncertain.rawValue
            row.lastError = "intento interrumpido: se espera el estado de Meta antes de reenviar"
            row.updatedAt = clock.now()
            try await row.save(on: database)
            return false
        default: break
        }
        let now = clock.now()
        if !row.isTemplate {
            let last = try await WhatsAppSender.find(row.recipient, on: database)?.lastInboundAt ?? .distantPast
            guard now.timeIntervalSince(last) < Self.window else {
                row.state = State.failed.rawValue
                row.lastError = "fuera de la ventana de 24 horas: solo se permiten plantillas aprobadas"
                row.updatedAt = now
                try await row.save(on: database)
                return true
            }
        }
        row.state = State.sending.rawValue
        row.attempts += 1
        row.updatedAt = now
        try await row.save(on: database)
        guard let message = try JSONSerialization.jsonObject(with: Data(row.body.utf8)) as? [String: Any] else { return true }
        do {
            try await application.whatsAppPacer.take()
            let wamid = try await application.whatsApp.send(message)
            row.state = State.sent.rawValue
            row.wamid = wamid
            row.lastError = nil
            if row.isTemplate { try await DispatchService.record(.sent, code: nil, where: "outbox_id", equals: id, database: database, now: clock.now()) }
        } catch let error as WhatsAppSendError where error.isRetryable {
            row.state = State.queued.rawValue
            row.lastError = error.description
            row.updatedAt = clock.now()
            try await row.save(on: database)
            throw error
        } catch let error as WhatsAppSendError {
            row.state = State.failed.rawValue
            row.lastError = error.description
            if case .rejected(let code, _) = error, row.isTemplate {
                try await DispatchService.record(.failed, code: code, where: "outbox_id", equals: id, database: database, now: clock.now())
            }
            logger.warning("Mensaje de WhatsApp rechazado", metadata: ["to": .string(Masking.phone(row.recipient)), "error": .string(error.description)])
        }
        row.updatedAt = clock.now()
        try await row.save(on: database)
        return true
    }

    /// A status settles its message: by its callback data (`salida:<id>`) or, without one, by
    /// the wamid stored on the row. An interrupted reply that Meta reports on did go out, and the
    /// replies waiting behind it are sent. Returns the outbox id found.
    @discardableResult
    func settle(wamid: String, callback: String?, now: Date) async throws -> UUID? {
        let sql = database as! any SQLDatabase
        var found: (id: UUID, recipient: String, state: String)? = nil
        let select = sql.select().columns("id", "recipient", "state").from(WhatsAppOutboxMessage.schema)
        if let callback, callback.hasPrefix(Self.replyCallbackPrefix), let id = UUID(uuidString: String(callback.dropFirst(Self.replyCallbackPrefix.count))) {
            select.where("id", .equal, SQLBind(id))
        } else {
            select.where("wamid", .equal, SQLBind(wamid))
        }
        if let row = try await select.first() {
            found = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "recipient", as: String.self), try row.decode(column: "state", as: String.self))
        }
        guard let found else { return nil }
        guard [State.uncertain.rawValue, State.sending.rawValue].contains(found.state) else { return found.id }
        let settled = try await sql.update(WhatsAppOutboxMessage.schema)
            .set("state", to: SQLBind(State.sent.rawValue)).set("wamid", to: SQLBind(wamid)).set("last_error", to: SQLLiteral.null)
            .set("updated_at", to: SQLBind(now))
            .where("id", .equal, SQLBind(found.id)).where("lane", .equal, SQLBind(WhatsAppOutboxMessage.Lane.conversation.rawValue))
            .where("state", .in, SQLBind.group([State.uncertain.rawValue, State.sending.rawValue]))
            .returning("id").all()
        if !settled.isEmpty {
            try await JobQueue(database: database, clock: clock).enqueue(kind: Self.sendJob, payload: SendPayload(recipient: found.recipient), maxAttempts: 8,
                                                                         idempotencyKey: "wa-out-settled:\(found.id)")
        }
        return found.id
    }

    /// After a crash: conversation replies left `sending` past the lease become `uncertain`;
    /// `uncertain` ones Meta never reported on within `grace` go back to the queue and their
    /// numbers' senders start. Returns (marked uncertain, queued again).
    @discardableResult
    func recoverReplies(grace: TimeInterval) async throws -> (uncertain: Int, requeued: Int) {
        let sql = database as! any SQLDatabase
        let now = clock.now()
        let uncertain = try await sql.raw("""
            UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = \(bind: State.uncertain.rawValue), updated_at = \(bind: now),
                last_error = \(bind: "envío interrumpido: se espera el estado de Meta antes de reenviar")
            WHERE lane = 'conversation' AND state = 'sending' AND updated_at < \(bind: now.addingTimeInterval(-min(120, grace)))
            RETURNING id
            """).all().count
        let requeued = try await sql.raw("""
            UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = \(bind: State.queued.rawValue), updated_at = \(bind: now),
                last_error = \(bind: "Meta no informó ningún estado: se reenvía")
            WHERE lane = 'conversation' AND state = 'uncertain' AND updated_at < \(bind: now.addingTimeInterval(-grace))
            RETURNING recipient
            """).all().map { try $0.decode(column: "recipient", as: String.self) }
        let slot = Int(now.timeIntervalSince1970 / 60)
        for recipient in Set(requeued) {
            try await JobQueue(database: database, clock: clock).enqueue(kind: Self.sendJob, payload: SendPayload(recipient: recipient), maxAttempts: 8,
                                                                         idempotencyKey: "wa-out-recover:\(recipient)@\(slot)")
        }
        return (uncertain, requeued.count)
    }
}
