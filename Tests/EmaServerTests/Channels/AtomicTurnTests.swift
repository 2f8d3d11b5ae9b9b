@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// Makes the next write of `event` on `table` fail inside the database, as a crash at that
/// point would: the transaction around it rolls back.
struct InjectedFailure {
    let app: Application
    let table: String
    let event: String

    var sql: any SQLDatabase { app.db.sql }

    func arm() async throws {
        if app.usesSQLite {
            try await sql.raw("CREATE TRIGGER falla_inyectada BEFORE \(unsafeRaw: event) ON \(ident: table) BEGIN SELECT RAISE(ABORT, 'falla inyectada'); END").run()
        } else {
            try await sql.raw("CREATE OR REPLACE FUNCTION falla_inyectada() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'falla inyectada'; END $$ LANGUAGE plpgsql").run()
            try await sql.raw("CREATE TRIGGER falla_inyectada BEFORE \(unsafeRaw: event) ON \(ident: table) FOR EACH ROW EXECUTE FUNCTION falla_inyectada()").run()
        }
    }

    func disarm() async throws {
        if app.usesSQLite {
            try await sql.raw("DROP TRIGGER falla_inyectada").run()
        } else {
            try await sql.raw("DROP TRIGGER falla_inyectada ON \(ident: table)").run()
        }
    }
}

@Suite("A WhatsApp turn commits whole or not at all")
struct AtomicTurnTests {
    static let phone = "+573001234567"

    struct Snapshot: Equatable {
        let version: Int
        let outbox: Int
        let consents: Int
        let pending: Int
    }

    func snapshot(_ app: Application) async throws -> Snapshot {
        Snapshot(
            version: try #require(try await Conversation.find("wa:" + Self.phone, on: app.db)).version,
            outbox: try await WhatsAppOutboxMessage.query(on: app.db).count(),
            consents: try await ConsentRecord.query(on: app.db).count(),
            pending: try await WhatsAppInbound.query(on: app.db).filter(\.$state == "pending").count()
        )
    }

    @Test("A failure at the state, the replies or the done mark leaves the conversation where it was and the message pending; the retry answers once",
          arguments: [("conversations", "UPDATE"), ("whatsapp_outbox", "INSERT"), ("whatsapp_inbound", "UPDATE")])
    func failureAtEachWrite(table: String, event: String) async throws {
        let hooks = WhatsAppWebhookTests()
        try await hooks.withWhatsApp { app in
            let service = app.whatsAppService()
            #expect(try await hooks.post(app, Webhook.text("hola")) == .ok)
            try await service.processSender(Self.phone, worker: "prueba")
            let before = try await snapshot(app)
            #expect(before.pending == 0 && before.outbox > 0)

            // The customer authorizes: the engine records the consent and moves on.
            #expect(try await hooks.post(app, Webhook.button("consentimiento_si")) == .ok)
            let failure = InjectedFailure(app: app, table: table, event: event)
            try await failure.arm()
            await #expect(throws: (any Error).self) { try await service.processSender(Self.phone, worker: "prueba") }
            try await failure.disarm()
            let failed = try await snapshot(app)
            #expect(failed == Snapshot(version: before.version, outbox: before.outbox, consents: before.consents, pending: 1), "\(table) \(event)")

            // The retry (a crash's job comes back the same way) answers it once.
            try await service.processSender(Self.phone, worker: "prueba")
            let after = try await snapshot(app)
            #expect(after.version == before.version + 1 && after.consents == before.consents + 2 && after.pending == 0)
            let replies = try await WhatsAppOutboxMessage.query(on: app.db).sort(\.$createdAt).all().dropFirst(before.outbox).map(\.body)
            #expect(!replies.isEmpty && replies.contains { $0.contains("menu_factura_whatsapp") })
            try await service.processSender(Self.phone, worker: "prueba")
            #expect(try await snapshot(app) == after)
        }
    }

    @Test("A reply interrupted between the call and its answer holds the next ones until its status settles it; it is not sent twice")
    func interruptedReplySettledByStatus() async throws {
        let hooks = WhatsAppWebhookTests()
        try await hooks.withWhatsApp { app in
            let service = app.whatsAppService()
            #expect(try await hooks.post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            let ids = try await service.queue([WhatsAppRenderer.render(.text("uno"), to: Self.phone), WhatsAppRenderer.render(.text("dos"), to: Self.phone)],
                                              to: Self.phone, isTemplate: false)
            let first = try #require(try await WhatsAppOutboxMessage.find(ids[0], on: app.db))
            #expect(first.body.contains("salida:\(ids[0].uuidString)"))
            first.state = "sending"
            try await first.save(on: app.db)
            try await drainJobs(app)
            #expect(try await WhatsAppOutboxMessage.find(ids[0], on: app.db)?.state == "uncertain")
            #expect(try await WhatsAppOutboxMessage.find(ids[1], on: app.db)?.state == "queued")
            #expect(!(try await hooks.sandbox(app)).contains { $0.contains("dos") })

            // Meta reports the first one delivered: it went out; the second follows.
            let status = Webhook.envelope(#""statuses":[{"id":"wamid.uno","status":"delivered","timestamp":"1795000030","recipient_id":"573001234567","biz_opaque_callback_data":"salida:\#(ids[0].uuidString)"}]"#)
            #expect(try await hooks.post(app, status) == .ok)
            try await drainJobs(app)
            let settled = try #require(try await WhatsAppOutboxMessage.find(ids[0], on: app.db))
            #expect(settled.state == "sent" && settled.wamid == "wamid.uno")
            #expect(try await WhatsAppOutboxMessage.find(ids[1], on: app.db)?.state == "sent")
            let sent = try await hooks.sandbox(app)
            #expect(sent.filter { $0.contains(#""body":"uno""#) }.isEmpty && sent.filter { $0.contains(#""body":"dos""#) }.count == 1)
        }
    }

    @Test("A reply interrupted and never reported on is sent again after the grace, once")
    func interruptedReplyResentAfterGrace() async throws {
        let manual = AppClock.Manual(Date())
        try await withEmaApp(clock: manual.clock, configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            _ = try await DemoData.load(into: app)
            let hooks = WhatsAppWebhookTests()
            let service = app.whatsAppService()
            #expect(try await hooks.post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            let id = try #require(try await service.queue([WhatsAppRenderer.render(.text("tres"), to: Self.phone)], to: Self.phone, isTemplate: false).first)
            let row = try #require(try await WhatsAppOutboxMessage.find(id, on: app.db))
            row.state = "sending"
            try await row.save(on: app.db)
            manual.advance(by: 121)
            #expect(try await service.recoverReplies(grace: 600) == (1, 0))
            manual.advance(by: 601)
            #expect(try await service.recoverReplies(grace: 600) == (0, 1))
            try await drainJobs(app)
            #expect(try await WhatsAppOutboxMessage.find(id, on: app.db)?.state == "sent")
            #expect(try await hooks.sandbox(app).filter { $0.contains(#""body":"tres""#) }.count == 1)
        }
    }
}
