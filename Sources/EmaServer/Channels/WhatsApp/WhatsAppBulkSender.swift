import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The bulk lane (the monthly bill): claims queued messages a batch at a time (marked
/// `sending` in one statement before any call), sends them at the pacer's rate with a few calls
/// in flight, and records the results. A crash leaves the batch `sending`; recovery turns those
/// rows `uncertain` and sends again only the ones Meta never reported on (a status webhook
/// settles a message as sent; none within the grace period), so a bill is neither lost nor sent
/// twice. What becomes of each message is told to the lane's observers (Billing's deliveries).
struct WhatsAppBulkSender {
    typealias State = WhatsAppOutboxMessage.State

    static let job = "whatsapp.send_bulk"
    static let recoveryJob = "whatsapp.recover_bulk"
    static let batchSize = 100
    static let inFlight = 16
    /// Attempts before a message that keeps meeting temporary errors fails for good.
    static let maxAttempts = 8

    /// The node's database (the lane claims, sends and records in transactions of its own).
    let database: any Database
    let clock: AppClock
    let parts: WhatsAppParts
    var sql: any SQLDatabase { database.sql }

    /// Queues `count` sender jobs (one per worker slot is plenty; each runs until the lane is empty).
    func start(count: Int) async throws {
        let payloads = (0..<max(1, count)).map { _ in (payload: "{}", idempotencyKey: "wa-bulk:\(UUID().uuidString)") }
        try await JobQueue(database: database, clock: clock).enqueueMany(kind: Self.job, payloads: payloads)
        await parts.wake()
    }

    /// How long one job sends before handing over to a fresh job of its own, so other jobs
    /// (recovery, conversations) get a worker slot during a million-bill campaign.
    static let turn: TimeInterval = 30

    /// The job body: batches until nothing is queued, or for one turn and then a continuation
    /// job takes over; gives the job back on shutdown.
    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let sender = context.application.whatsAppBulkSender()
        let end = Date().addingTimeInterval(turn)
        while try await sender.sendBatch(logger: context.logger) > 0 {
            try Task.checkCancellation()
            if Date() > end {
                try await sender.start(count: 1)
                return
            }
        }
    }

    struct Claimed { let id: UUID; let recipient: String; let body: String; let attempts: Int }

    /// Marks up to `batchSize` queued messages `sending` and returns them (SKIP LOCKED on
    /// PostgreSQL, so any number of senders share the lane).
    func claim() async throws -> [Claimed] {
        let now = clock.now()
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = \(bind: State.sending.rawValue), attempts = attempts + 1, updated_at = \(bind: now)
            WHERE id IN (SELECT id FROM \(ident: WhatsAppOutboxMessage.schema)
                         WHERE lane = 'bulk' AND state = 'queued' ORDER BY created_at LIMIT \(literal: Self.batchSize) \(lock))
            RETURNING id, recipient, body, attempts
            """).all()
        return try rows.map {
            Claimed(id: try $0.decode(column: "id", as: UUID.self), recipient: try $0.decode(column: "recipient", as: String.self),
                    body: try $0.decode(column: "body", as: String.self), attempts: try $0.decode(column: "attempts", as: Int.self))
        }
    }

    /// The batch as it leaves: messages an observer withdraws are deleted (in one transaction
    /// with the observer's record of why); the others are brought up to date when what they say
    /// changed since they were queued (a bill paid meanwhile says it is paid).
    func current(_ claimed: [Claimed]) async throws -> [Claimed] {
        let now = clock.now()
        let observers = parts.observers
        var candidates = Set<UUID>()
        for observer in observers { candidates.formUnion(try await observer.withdrawable(claimed.map(\.id), at: now, on: database)) }
        let asked = Array(candidates)
        let withdrawn = asked.isEmpty ? [] : try await database.writeTransaction { tx -> Set<UUID> in
            var withdrawn = Set<UUID>()
            for observer in observers { withdrawn.formUnion(try await observer.withdraw(asked, at: now, on: tx)) }
            if !withdrawn.isEmpty {
                try await tx.sql.delete(from: WhatsAppOutboxMessage.schema).where("id", .in, SQLBind.group(Array(withdrawn))).run()
            }
            return withdrawn
        }
        let batch = claimed.filter { !withdrawn.contains($0.id) }
        var changed: [UUID: WhatsAppTemplate] = [:]
        for observer in parts.observers {
            changed.merge(try await observer.current(batch.map(\.id), on: database)) { $1 }
        }
        guard !changed.isEmpty else { return batch }
        return batch.map { row in
            changed[row.id].map { Claimed(id: row.id, recipient: row.recipient, body: $0.json(to: row.recipient), attempts: row.attempts) } ?? row
        }
    }

    enum Outcome { case sent(String), temporary(String), rejected(Int?, String), unanswered(String) }

    /// One batch: claim, send, record. Returns how many messages it handled.
    func sendBatch(logger: Logger) async throws -> Int {
        let claimed = try await claim()
        guard !claimed.isEmpty else { return 0 }
        let batch = try await current(claimed)
        // All withdrawn: nothing to send, but the lane may hold more.
        guard !batch.isEmpty else { return claimed.count }
        let client = parts.client
        let pacer = parts.pacer
        let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
            var results: [(Int, Outcome)] = []
            var next = 0
            func add(_ index: Int) {
                let row = batch[index]
                group.addTask {
                    guard let message = try? JSONSerialization.jsonObject(with: Data(row.body.utf8)) as? [String: Any] else {
                        return (index, .rejected(nil, "cuerpo del mensaje ilegible"))
                    }
                    do {
                        try await pacer.take()
                        return (index, .sent(try await client.send(message)))
                    } catch let error as WhatsAppSendError {
                        switch error {
                        case .rejected(let code, _): return (index, .rejected(code, error.description))
                        // It may have reached Meta: not resent until recovery knows.
                        case .unanswered: return (index, .unanswered(error.description))
                        case .temporary: return (index, .temporary(error.description))
                        }
                    } catch {
                        return (index, .temporary(String(describing: error)))
                    }
                }
            }
            while next < min(Self.inFlight, batch.count) { add(next); next += 1 }
            for await result in group {
                results.append(result)
                if next < batch.count { add(next); next += 1 }
            }
            return results
        }
        try await record(batch: batch, outcomes: outcomes, logger: logger)
        if outcomes.contains(where: { if case .sent = $0.1 { false } else if case .rejected = $0.1 { false } else { true } }) {
            // Meta asked to slow down or did not answer: give it a moment before the next batch.
            try await Task.sleep(for: .seconds(1))
        }
        return claimed.count
    }

    func record(batch: [Claimed], outcomes: [(Int, Outcome)], logger: Logger) async throws {
        let now = clock.now()
        let sent = outcomes.compactMap { index, outcome -> (UUID, String)? in
            if case .sent(let wamid) = outcome { return (batch[index].id, wamid) }
            return nil
        }
        let observers = parts.observers
        try await database.writeTransaction { tx in
            let sql = tx.sql
            if !sent.isEmpty {
                // One statement for the whole batch (both databases name VALUES columns column1, column2).
                let values = SQLList(sent.map { SQLGroupExpression([SQLBind($0.0), SQLBind($0.1)]) })
                let rows = try await sql.raw("""
                    UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = 'sent', wamid = v.column2, last_error = NULL, updated_at = \(bind: now)
                    FROM (VALUES \(values)) AS v WHERE \(ident: WhatsAppOutboxMessage.schema).id = v.column1
                    RETURNING \(ident: WhatsAppOutboxMessage.schema).created_at
                    """).all()
                parts.sent(rows, lane: .bulk, at: now)
                for observer in observers { try await observer.sent(sent.map(\.0), at: now, on: tx) }
            }
            /// Leaves a message in `state` with the reason of its last attempt.
            func mark(_ row: Claimed, _ state: State, _ reason: String) async throws {
                try await sql.update(WhatsAppOutboxMessage.schema)
                    .set("state", to: SQLBind(state.rawValue)).set("last_error", to: SQLBind(reason)).set("updated_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(row.id)).run()
            }
            func failed(_ id: UUID, code: Int?, cause: DeliveryFailureCause?) async throws {
                for observer in observers {
                    _ = try await observer.reached(.failed, code: code, cause: cause, callback: nil, message: id, at: now, on: tx)
                }
            }
            for (index, outcome) in outcomes {
                let row = batch[index]
                switch outcome {
                case .sent:
                    continue
                case .temporary(let reason):
                    let final = row.attempts >= Self.maxAttempts
                    try await mark(row, final ? .failed : .queued, reason)
                    if final { try await failed(row.id, code: nil, cause: .operatorRejected) }
                case .unanswered(let reason):
                    try await mark(row, .uncertain, reason)
                case .rejected(let code, let reason):
                    try await mark(row, .failed, reason)
                    try await failed(row.id, code: code, cause: nil)
                    logger.warning("Plantilla de WhatsApp rechazada", metadata: ["to": .string(Masking.phone(row.recipient)), "error": .string(reason)])
                }
            }
        }
    }

    // MARK: Recovery

    /// After a crash: `sending` rows older than the lease become `uncertain`; `uncertain` rows
    /// no status settled within `grace` go back to the queue (nothing
    /// reached Meta, or a status would have come); then a sender is started if anything waits.
    /// Returns (marked uncertain, queued again).
    @discardableResult
    func recover(grace: TimeInterval) async throws -> (uncertain: Int, requeued: Int) {
        let now = clock.now()
        let lease = min(120, grace)
        let uncertain = try await sql.raw("""
            UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = \(bind: State.uncertain.rawValue), updated_at = \(bind: now),
                last_error = \(bind: "envío interrumpido: se espera el estado de Meta antes de reenviar")
            WHERE lane = 'bulk' AND state = 'sending' AND updated_at < \(bind: now.addingTimeInterval(-lease))
            RETURNING id
            """).all().count
        let requeued = try await sql.raw("""
            UPDATE \(ident: WhatsAppOutboxMessage.schema) SET state = \(bind: State.queued.rawValue), updated_at = \(bind: now),
                last_error = \(bind: "Meta no informó ningún estado: se reenvía")
            WHERE lane = 'bulk' AND state = 'uncertain' AND updated_at < \(bind: now.addingTimeInterval(-grace))
            RETURNING id
            """).all().count
        let waiting = try await sql.raw("SELECT id FROM \(ident: WhatsAppOutboxMessage.schema) WHERE lane = 'bulk' AND state = 'queued' LIMIT 1").first() != nil
        if waiting {
            let slot = Int(now.timeIntervalSince1970 / 60)
            try await JobQueue(database: database, clock: clock).enqueue(kind: Self.job, payload: [String: String](), idempotencyKey: "wa-bulk-recover@\(slot)")
        }
        return (uncertain, requeued)
    }

    @Sendable static func runRecovery(_ context: JobContext, _ payload: String) async throws {
        let grace = context.application.emaConfig.whatsApp.uncertainGrace
        let result = try await context.application.whatsAppBulkSender().recover(grace: grace)
        if result.uncertain + result.requeued > 0 {
            context.logger.notice("Envíos masivos recuperados", metadata: ["inciertos": "\(result.uncertain)", "reencolados": "\(result.requeued)"])
        }
        let replies = try await context.application.whatsAppService().recoverReplies(grace: grace)
        if replies.uncertain + replies.requeued > 0 {
            context.logger.notice("Respuestas de conversación recuperadas", metadata: ["inciertas": "\(replies.uncertain)", "reencoladas": "\(replies.requeued)"])
        }
    }

    /// A status webhook for bulk messages settles the ones interrupted (or still being
    /// recorded): they did reach Meta.
    static func settle(_ messages: [UUID], database: any Database, now: Date) async throws {
        guard !messages.isEmpty else { return }
        try await database.sql.update(WhatsAppOutboxMessage.schema)
            .set("state", to: SQLBind(WhatsAppOutboxMessage.State.sent.rawValue)).set("updated_at", to: SQLBind(now)).set("last_error", to: SQLLiteral.null)
            .where("id", .in, SQLBind.group(messages)).where("lane", .equal, SQLBind(WhatsAppOutboxMessage.Lane.bulk.rawValue))
            .where("state", .in, SQLBind.group([WhatsAppOutboxMessage.State.uncertain.rawValue, WhatsAppOutboxMessage.State.sending.rawValue]))
            .run()
    }
}

extension Application {
    /// The bulk lane over this node's database.
    func whatsAppBulkSender() -> WhatsAppBulkSender {
        WhatsAppBulkSender(database: db, clock: clock, parts: whatsAppParts)
    }
}
