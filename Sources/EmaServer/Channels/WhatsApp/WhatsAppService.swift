import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// WhatsApp as a channel of the assistant: records what the webhook brings, runs each sender's
/// messages through the engine in order, and sends the replies through the outbox.
struct WhatsAppService: Sendable {
    /// The node's database, or the transaction a turn runs in.
    let database: any Database
    let clock: AppClock
    let parts: WhatsAppParts
    /// The conversations the messages go through, over a database (a turn's transaction).
    let chats: @Sendable (any Database) -> ChatService

    /// The same service over another database (a transaction).
    func on(_ other: any Database) -> WhatsAppService {
        WhatsAppService(database: other, clock: clock, parts: parts, chats: chats)
    }

    static let processJob = "whatsapp.process"
    static let sendJob = "whatsapp.send"
    /// Free-form messages may go only this long after the customer's last message.
    static let window: TimeInterval = 24 * 3_600

    struct ProcessPayload: Codable { let sender: String }
    struct SendPayload: Codable { let recipient: String }

    /// Stores webhook deliveries — messages (each id once), senders' last contact, processing
    /// jobs, statuses — for many deliveries at once, in one short transaction: everything Meta
    /// sent is stored, or nothing is (and Meta retries).
    func record(_ payloads: [WebhookPayload]) async throws {
        try await database.writeTransaction { transaction in
            try await on(transaction).store(payloads)
        }
    }

    private func store(_ payloads: [WebhookPayload]) async throws {
        let sql = database.sql
        let now = clock.now()
        let changes = payloads.flatMap(\.entry).flatMap(\.changes)
        var seen = Set<String>()
        let messages = changes.flatMap { $0.value.messages ?? [] }.filter { seen.insert($0.id).inserted }
        if !messages.isEmpty {
            let insert = sql.insert(into: WhatsAppInbound.schema).columns("wamid", "sender", "payload", "sent_at", "received_at", "state")
            for message in messages {
                let raw = String(decoding: try JSONEncoder().encode(RawMessage(message)), as: UTF8.self)
                insert.values(SQLBind(message.id), SQLBind("+" + message.from.filter(\.isNumber)), SQLBind(raw),
                              SQLBind(Double(message.timestamp ?? "") ?? now.timeIntervalSince1970), SQLBind(now), SQLBind(WhatsAppInbound.State.pending.rawValue))
            }
            let inserted = try await insert.ignoringConflicts(with: ["wamid"]).returning("wamid", "sender").all()
            let fresh = try inserted.map { (wamid: try $0.decode(column: "wamid", as: String.self), sender: try $0.decode(column: "sender", as: String.self)) }
            let senders = Array(Set(fresh.map(\.sender)))
            if !senders.isEmpty {
                let upsert = sql.insert(into: WhatsAppSender.schema).columns("sender", "last_inbound_at")
                for sender in senders { upsert.values(SQLBind(sender), SQLBind(now)) }
                try await upsert.onConflict(with: ["sender"]) { $0.set(excludedValueOf: "last_inbound_at") }.run()
                let jobs = try fresh.map { (payload: String(decoding: try JSONEncoder().encode(ProcessPayload(sender: $0.sender)), as: UTF8.self), idempotencyKey: "wa-in:\($0.wamid)") }
                try await JobQueue(database: database, clock: clock).enqueueMany(kind: Self.processJob, payloads: jobs, maxAttempts: 20)
            }
        }
        for status in changes.flatMap({ $0.value.statuses ?? [] }) {
            try await recordStatus(status, now: now)
        }
    }

    /// Keeps the furthest status of each message, never going backwards, and settles the
    /// message it reports on (an interrupted reply or bulk message; the bulk lane's observers
    /// follow theirs: a bill's delivery).
    func recordStatus(_ status: WebhookPayload.Status, now: Date) async throws {
        guard let incoming = DeliveryStatus(rawValue: status.status) else { return }
        let sql = database.sql
        let existing = try await sql.select().columns("status", "error_code", "callback_data").from(WhatsAppMessageStatus.schema)
            .where("wamid", .equal, SQLBind(status.id)).first()
        let current = try existing.flatMap { DeliveryStatus(rawValue: try $0.decode(column: "status", as: String.self)) } ?? .queued
        let merged = current.merged(with: incoming)
        let errorCode = merged == .failed ? status.errors?.first?.code : try existing?.decode(column: "error_code", as: Int?.self)
        let callbackData = try status.biz_opaque_callback_data ?? existing?.decode(column: "callback_data", as: String?.self)
        try await sql.insert(into: WhatsAppMessageStatus.schema)
            .columns("wamid", "status", "error_code", "callback_data", "updated_at")
            .values(SQLBind(status.id), SQLBind(merged.rawValue), SQLBind(errorCode), SQLBind(callbackData), SQLBind(now))
            .onConflict(with: ["wamid"]) { $0.set(excludedValueOf: "status").set(excludedValueOf: "error_code").set(excludedValueOf: "callback_data").set(excludedValueOf: "updated_at") }
            .run()
        let outbox = try await settle(wamid: status.id, callback: callbackData, now: now)
        // The capabilities that send in the bulk lane find their message (by its callback data,
        // or by the outbox row the wamid found) and name it, so an interrupted send settles.
        for observer in parts.observers {
            let messages = try await observer.reached(merged, code: errorCode, cause: nil, callback: callbackData,
                                                      message: callbackData == nil ? outbox : nil, at: now, on: database)
            try await WhatsAppBulkSender.settle(messages, database: database, now: now)
        }
    }

    /// The job body: takes the sender's lease, then answers every pending message in order.
    @Sendable static func process(_ context: JobContext, _ payload: String) async throws {
        let sender = try JSONDecoder().decode(ProcessPayload.self, from: Data(payload.utf8)).sender
        try await context.application.whatsAppService().processSender(sender, worker: UUID().uuidString)
    }

    func processSender(_ sender: String, worker: String) async throws {
        try await withLease(of: sender, worker: worker) { try await answerPending(of: sender) }
    }

    /// Runs `body` holding the number's answering lease, waiting up to `patience` seconds for a
    /// turn in course to finish; past that it runs anyway (and says so in the log).
    func whileHolding<T>(_ number: String, patience: Double = 5, _ body: () async throws -> T) async throws -> T {
        var result: T?
        // Wall time, not the application's clock (tests freeze that one).
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1_000))
        while result == nil {
            do {
                try await withLease(of: number, worker: UUID().uuidString) { result = try await body() }
            } catch WhatsAppProcessingError.senderBusy {
                if ContinuousClock.now > deadline {
                    parts.logger.warning("Un turno de WhatsApp no soltó el número a tiempo; se sigue sin esperarlo", metadata: ["numero": .string(Masking.phone(number))])
                    return try await body()
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        return result!
    }

    /// How long a per-number lease lasts unless renewed: a node killed mid-turn holds its
    /// numbers this long at most.
    static let leaseSeconds: TimeInterval = 20

    /// Runs `body` while holding the number's lease, so one number's turns and sends happen in
    /// order on any number of nodes; the lease is renewed while `body` runs. When another worker
    /// holds it, throws `senderBusy`: the job is retried shortly.
    func withLease(of number: String, worker: String, _ body: () async throws -> Void) async throws {
        let sql = database.sql
        func claim() async throws -> Bool {
            let now = clock.now()
            return try await !sql.update(WhatsAppSender.schema)
                .set("locked_until", to: SQLBind(now.addingTimeInterval(Self.leaseSeconds)))
                .set("locked_by", to: SQLBind(worker))
                .where("sender", .equal, SQLBind(number))
                .where { $0.where("locked_until", .is, SQLLiteral.null).orWhere("locked_until", .lessThan, SQLBind(now)) }
                .returning("sender")
                .all().isEmpty
        }
        // The webhook made the number's row already; a number Ema writes to first gets one here.
        var claimed = try await claim()
        if !claimed {
            let made = try await sql.insert(into: WhatsAppSender.schema)
                .columns("sender", "last_inbound_at")
                .values(SQLBind(number), SQLBind(Date(timeIntervalSince1970: 0)))
                .ignoringConflicts(with: ["sender"])
                .returning("sender")
                .all()
            if !made.isEmpty { claimed = try await claim() }
        }
        guard claimed else { throw WhatsAppProcessingError.senderBusy }
        // Renewed on the node's database (never on a caller's transaction).
        let renewal = Task { [home = parts.home, clock] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(Self.leaseSeconds / 3))
                guard !Task.isCancelled else { return }
                _ = try? await home.sql.update(WhatsAppSender.schema)
                    .set("locked_until", to: SQLBind(clock.now().addingTimeInterval(Self.leaseSeconds)))
                    .where("sender", .equal, SQLBind(number)).where("locked_by", .equal, SQLBind(worker)).run()
            }
        }
        defer { renewal.cancel() }
        func release() async throws {
            try await sql.update(WhatsAppSender.schema).set("locked_until", to: SQLLiteral.null)
                .where("sender", .equal, SQLBind(number)).where("locked_by", .equal, SQLBind(worker)).run()
        }
        do {
            try await body()
        } catch {
            try? await release()
            throw error
        }
        try await release()
    }

    /// Answers the sender's pending messages in order, each in one transaction: the turn (the
    /// conversation's new state and what its effects wrote), the replies in the outbox and the
    /// message marked done commit together, so a crash at any point leaves the message pending
    /// and the conversation where it was, and the retry answers it once. Each turn's replies are
    /// then sent from here, under the same lease: no second job, no second claim. The job is
    /// done only once they left, so a crash before that leaves it to be taken again, and the
    /// retry sends what is still queued.
    private func answerPending(of sender: String) async throws {
        var answered = 0
        let sql = database.sql
        // SQL rather than the model: this runs for every message, and a model's reflection costs.
        while let next = try await sql.select().columns("wamid", "payload").from(WhatsAppInbound.schema)
            .where("sender", .equal, SQLBind(sender)).where("state", .equal, SQLBind(WhatsAppInbound.State.pending.rawValue))
            .orderBy("sent_at").orderBy("received_at").limit(1).first() {
            let message = try JSONDecoder().decode(RawMessage.self, from: Data(try next.decode(column: "payload", as: String.self).utf8))
            let wamid = try next.decode(column: "wamid", as: String.self)
            let forget = try await database.writeTransaction { transaction in
                try await on(transaction).answerOnce(message, wamid: wamid, from: sender)
            }
            answered += 1
            try await sendQueued(to: sender, logger: parts.logger)
            // The holder's data were just suppressed: nothing of the number is left to answer.
            if forget { return }
        }
        if answered == 0 { try await sendQueued(to: sender, logger: parts.logger) }
    }

    /// One message's turn, inside the caller's transaction. True when the holder's data were
    /// suppressed: once the farewell is out, nothing of the number stays (`ForgetNumberJob`);
    /// the message itself is gone already.
    private func answerOnce(_ message: RawMessage, wamid: String, from sender: String) async throws -> Bool {
        let (replies, forget) = try await answer(message, from: sender)
        // Sent by this job once the turn commits (`answerPending`).
        try await queueReplies(replies, to: sender, startSender: false)
        if forget {
            try await ForgetNumberJob.enqueue(sender, on: JobQueue(database: database, clock: clock))
            return true
        }
        let done = try await database.sql.update(WhatsAppInbound.schema).set("state", to: SQLBind(WhatsAppInbound.State.done.rawValue))
            .where("wamid", .equal, SQLBind(wamid)).where("state", .equal, SQLBind(WhatsAppInbound.State.pending.rawValue)).returning("wamid").all()
        // Another worker answered it meanwhile (a lease that ran out): this turn rolls back.
        guard !done.isEmpty else { throw WhatsAppProcessingError.senderBusy }
        return false
    }

    /// Runs one inbound message through the engine (or answers a kind word for what Ema cannot read).
    /// The replies, and whether the conversation was forgotten (the holder's data suppressed).
    func answer(_ message: RawMessage, from sender: String) async throws -> (replies: [Reply], forget: Bool) {
        let id = "wa:" + sender
        let chat = chats(database)
        guard try await chat.exists(id) else {
            return (try await chat.start(channel: .whatsapp, id: id, senderPhone: sender).replies, false)
        }
        guard let inbound = message.inbound else {
            if message.type == "reaction" { return ([], false) }
            return ([.text("Por ahora solo puedo leer mensajes de texto y las opciones que te envío. 🙏 Escríbeme en palabras lo que necesitas, o escribe «menú» para ver lo que puedo hacer.")], false)
        }
        let (replies, state) = try await chat.turn(inbound, in: id, client: sender)
        return (replies, state.forget == true)
    }

    /// Renders the replies and queues them as one ordered batch.
    func queueReplies(_ replies: [Reply], to sender: String, startSender: Bool = true) async throws {
        try await queue(replies.map { WhatsAppRenderer.render($0, to: sender) }, to: sender, isTemplate: false, startSender: startSender)
    }

    /// Stores messages for a number in the outbox, in order, in one statement, and (unless the
    /// caller sends them itself, holding the number's lease) queues the number's sender job.
    /// Returns the outbox ids.
    @discardableResult
    func queue(_ messages: [[String: Any]], to recipient: String, isTemplate: Bool, startSender: Bool = true) async throws -> [UUID] {
        guard !messages.isEmpty else { return [] }
        let now = clock.now()
        let insert = database.sql.insert(into: WhatsAppOutboxMessage.schema)
            .columns("id", "recipient", "body", "is_template", "lane", "state", "attempts", "created_at", "updated_at")
        var ids: [UUID] = []
        for (index, message) in messages.enumerated() {
            let id = UUID()
            // Meta echoes it in the message's statuses: a reply whose sending was cut off is
            // found by it (see `settle`).
            var message = message
            if message["biz_opaque_callback_data"] == nil { message["biz_opaque_callback_data"] = "\(Self.replyCallbackPrefix)\(id.uuidString)" }
            // A millisecond apart, so the sender sorts them in the order they were written.
            insert.values(SQLBind(id), SQLBind(recipient), SQLBind(WhatsAppRenderer.readable(message)), SQLBind(isTemplate),
                          SQLBind(WhatsAppOutboxMessage.Lane.conversation.rawValue), SQLBind(WhatsAppOutboxMessage.State.queued.rawValue),
                          SQLBind(0), SQLBind(now.addingTimeInterval(Double(index) / 1_000)), SQLBind(now))
            ids.append(id)
        }
        try await insert.run()
        guard startSender else { return ids }
        try await JobQueue(database: database, clock: clock).enqueue(kind: Self.sendJob, payload: SendPayload(recipient: recipient), maxAttempts: 8, idempotencyKey: "wa-out:\(ids[0])")
        // Inside a transaction the job is not visible yet: the worker is woken once it commits.
        if database.inTransaction { AfterCommit.actions?.add(parts.wake) } else { await parts.wake() }
        return ids
    }
}

enum WhatsAppProcessingError: Error, CustomStringConvertible {
    case senderBusy
    var description: String { "otro trabajador está respondiendo a este número; se reintenta en orden" }
}

/// What Ema keeps of an inbound message, and how it reads it.
struct RawMessage: Codable {
    let id: String
    let type: String
    let text: String?
    let choice: String?
    /// The title of the tapped option, as the customer saw it.
    let choiceTitle: String?
    /// A shared location.
    var latitude: Double?
    var longitude: Double?
    var place: String?

    init(_ message: WebhookPayload.Message) {
        id = message.id
        type = message.type
        // A WhatsApp text is what a person typed: control characters are dropped, not refused.
        text = message.text.map { InputGuardMiddleware.removingControlCharacters($0.body) }
        let reply = message.interactive?.button_reply ?? message.interactive?.list_reply
        choice = reply?.id ?? message.button?.payload
        choiceTitle = reply?.title ?? message.button?.text
        latitude = message.location?.latitude
        longitude = message.location?.longitude
        place = [message.location?.name, message.location?.address].compactMap { $0 }.joined(separator: ", ")
    }

    var inbound: InboundMessage? {
        if let choice, !choice.isEmpty { return .choice(choice) }
        if let latitude, let longitude, let point = GeoPoint(latitude: latitude, longitude: longitude, label: place?.isEmpty == false ? place : nil) {
            return InboundMessage(location: point)
        }
        if let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .text(String(text.prefix(1_000))) }
        return nil
    }
}
