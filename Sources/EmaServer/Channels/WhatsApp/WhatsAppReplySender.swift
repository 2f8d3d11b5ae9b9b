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

    /// The job body: sends everything queued for a number (replies an advisor or a service
    /// queued; a turn's own replies leave from its job), under the number's lease.
    @Sendable static func send(_ context: JobContext, _ payload: String) async throws {
        let recipient = try JSONDecoder().decode(SendPayload.self, from: Data(payload.utf8)).recipient
        let service = context.application.whatsAppService()
        try await service.withLease(of: recipient, worker: UUID().uuidString) {
            try await service.sendQueued(to: recipient, logger: context.logger)
        }
    }

    /// Sends what is queued for a number, oldest first; the caller holds the number's lease. An
    /// interrupted reply holds the ones after it, so they never arrive before it: a reply left
    /// `sending` (its sender died between the call and its result, so it may have gone out)
    /// becomes `uncertain`, and waits for its status or the grace.
    func sendQueued(to recipient: String, logger: Logger) async throws {
        let limit = 50
        let sql = database.sql
        while true {
            // SQL rather than the model: this runs for every reply, and a model's reflection costs.
            let rows = try await sql.select().columns("id", "body", "is_template", "state").from(WhatsAppOutboxMessage.schema)
                .where("recipient", .equal, SQLBind(recipient))
                // A literal, so the partial index of the conversation lane applies.
                .where(SQLRaw("lane = 'conversation'"))
                .where("state", .in, SQLBind.group([State.queued.rawValue, State.sending.rawValue, State.uncertain.rawValue]))
                .orderBy("created_at").limit(limit).all()
                .map { Queued(id: try $0.decode(column: "id", as: UUID.self), body: try $0.decode(column: "body", as: String.self),
                              isTemplate: try $0.decode(column: "is_template", as: Bool.self), state: try $0.decode(column: "state", as: String.self)) }
            let batch = Array(rows.prefix { $0.state == State.queued.rawValue })
            if batch.isEmpty {
                if let first = rows.first, first.state == State.sending.rawValue {
                    try await mark([first], .uncertain, error: "intento interrumpido: se espera el estado de Meta antes de reenviar")
                }
                return
            }
            try await send(batch, to: recipient, logger: logger)
            if batch.count == rows.count, rows.count < limit { return }
        }
    }

    /// A message waiting in the conversation lane.
    private struct Queued {
        let id: UUID
        let body: String
        let isTemplate: Bool
        let state: String
    }

    /// Sends a run of queued messages in order: one statement marks them all `sending` before
    /// the first call, one records them `sent` with their wamids after the last. A crash in
    /// between leaves them `sending`; each is then settled by its own status (its callback data
    /// names it) or sent again after the grace.
    private func send(_ batch: [Queued], to recipient: String, logger: Logger) async throws {
        let sql = database.sql
        let now = clock.now()
        var ready = batch
        if batch.contains(where: { !$0.isTemplate }) {
            let last = try await sql.select().column("last_inbound_at").from(WhatsAppSender.schema).where("sender", .equal, SQLBind(recipient)).first()
                .map { try $0.decode(column: "last_inbound_at", as: Date.self) } ?? .distantPast
            if now.timeIntervalSince(last) >= Self.window {
                try await mark(batch.filter { !$0.isTemplate }, .failed, error: "fuera de la ventana de 24 horas: solo se permiten plantillas aprobadas")
                ready = batch.filter(\.isTemplate)
            }
        }
        guard !ready.isEmpty else { return }
        try await sql.update(WhatsAppOutboxMessage.schema)
            .set("state", to: SQLBind(State.sending.rawValue)).set("attempts", to: SQLRaw("attempts + 1")).set("updated_at", to: SQLBind(now))
            .where("id", .in, ready.map(\.id)).where("state", .equal, SQLBind(State.queued.rawValue))
            .run()
        var sent: [(id: UUID, wamid: String)] = []
        for (index, row) in ready.enumerated() {
            let id = row.id
            guard let message = try? JSONSerialization.jsonObject(with: Data(row.body.utf8)) as? [String: Any] else {
                try await mark([row], .failed, error: "mensaje ilegible en la bandeja de salida")
                continue
            }
            do {
                try await parts.pacer.take()
                sent.append((id, try await parts.client.send(message)))
            } catch let error as WhatsAppSendError where error.isRetryable {
                // This one and the ones after it (not tried: their attempt does not count) go back
                // to the queue; the job is retried.
                try await markSent(sent)
                try await mark([row], .queued, error: error.description)
                try await mark(Array(ready[(index + 1)...]), .queued, error: nil, untried: true)
                throw error
            } catch let error as WhatsAppSendError {
                try await mark([row], .failed, error: error.description)
                logger.warning("Mensaje de WhatsApp rechazado", metadata: ["to": .string(Masking.phone(recipient)), "error": .string(error.description)])
            } catch {
                // Not from the call (the client reports every failure of its own as a
                // `WhatsAppSendError`): the wait for the pace was cut short (shutdown), or the
                // record after a send failed. What went is recorded; what did not go goes back to
                // the queue, not left in doubt.
                try? await markSent(sent)
                try? await mark(ready[index...].filter { row in !sent.contains { $0.id == row.id } }, .queued, error: nil, untried: true)
                throw error
            }
        }
        try await markSent(sent)
    }

    /// Records messages sent, each with its wamid, in one statement.
    private func markSent(_ sent: [(id: UUID, wamid: String)]) async throws {
        guard !sent.isEmpty else { return }
        let cases = sent.map { SQLQueryString("WHEN \(bind: $0.id) THEN \(bind: $0.wamid)") }.joined(separator: " ")
        let now = clock.now()
        let rows = try await database.sql.raw("""
            UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = \(bind: State.sent.rawValue), last_error = NULL,
                updated_at = \(bind: now), wamid = CASE id \(cases) END
            WHERE id IN (\(binds: sent.map(\.id))) RETURNING created_at
            """).all()
        parts.sent(rows, lane: .conversation, at: now)
    }

    private func mark(_ rows: [Queued], _ state: State, error: String?, untried: Bool = false) async throws {
        guard !rows.isEmpty else { return }
        let update = database.sql.update(WhatsAppOutboxMessage.schema)
            .set("state", to: SQLBind(state.rawValue)).set("last_error", to: SQLBind(error)).set("updated_at", to: SQLBind(clock.now()))
            .where("id", .in, rows.map(\.id))
        if untried { update.set("attempts", to: SQLRaw("attempts - 1")) }
        try await update.run()
    }

    /// A status settles its message: by its callback data (`salida:<id>`) or, without one, by
    /// the wamid stored on the row. An interrupted reply that Meta reports on did go out, and the
    /// replies waiting behind it are sent. Returns the outbox id found.
    @discardableResult
    func settle(wamid: String, callback: String?, now: Date) async throws -> UUID? {
        let sql = database.sql
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
        // An uncertain reply held the ones after it: they follow now. (One still `sending` has a
        // live sender, or a job whose lease runs out and is taken again.)
        if !settled.isEmpty, found.state == State.uncertain.rawValue {
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
        let sql = database.sql
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
