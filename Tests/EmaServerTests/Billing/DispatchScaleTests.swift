@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Dispatch over many pages, the bulk sender, and what happens after a crash mid-send.
@Suite("Dispatch at scale: pages, bulk sending, recovery")
struct DispatchScaleTests {
    static let period = BillingPeriod("2026-11")!

    /// `count` contracts with a bill in the period (all but every tenth) and one active
    /// enrollment each, on its own number; imported through the real CSV importer.
    func seed(_ app: Application, count: Int) async throws {
        var contracts = "contract_number,holder_name,address,municipality,segment,services\n"
        var invoices = "invoice_number,contract_number,period,issue_date,due_date,amount_cop\n"
        for index in 0..<count {
            let number = String(70_000_000 + index)
            contracts += "\(number),Cliente \(index),CL \(index % 90 + 1) 45 12,Medellín,hogares,energia\n"
            if index % 10 != 0 { invoices += "F\(number),\(number),2026-11,2026-11-03,2026-11-23,\(100_000 + index * 100)\n" }
        }
        let importer = CSVFileImporter(database: app.db, clock: app.clock)
        _ = try await importer.importFile(.contracts, path: try temporaryFile(contracts))
        _ = try await importer.importFile(.invoices, path: try temporaryFile(invoices))
        let sql = app.db.sql
        let now = app.clock.now()
        let ids = try await Contract.query(on: app.db).sort(\.$contractNumber).all().map { try $0.requireID() }
        for start in stride(from: 0, to: ids.count, by: 2_000) {
            let insert = sql.insert(into: Enrollment.schema).columns("id", "phone", "contract_id", "holder_name", "channel", "status", "consecutive_failed_periods", "created_at", "updated_at")
            for (offset, id) in ids[start..<min(ids.count, start + 2_000)].enumerated() {
                insert.values(SQLBind(UUID()), SQLBind("+57310\(String(format: "%07d", start + offset))"), SQLBind(id), SQLBind("Cliente"), SQLBind("web"),
                              SQLBind("active"), SQLBind(0), SQLBind(now), SQLBind(now))
            }
            try await insert.run()
        }
    }

    func graph(_ fake: FakeProviderServer) -> (inout AppConfig) -> Void {
        { config in
            config.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret)
            config.whatsApp.graphURL = fake.baseURL + "/v21.0"
            config.whatsApp.phoneNumberID = "106540352242922"
            config.whatsApp.accessToken = Secret("EAAG-token")
            config.whatsApp.maxMessagesPerSecond = 1_000
        }
    }

    static let accepted = FakeProviderServer.Scripted(status: .ok, body: #"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.ok"}]}"#)

    /// The delivery ids the fake Graph API received, in order, from each message's callback data.
    func received(_ fake: FakeProviderServer) -> [String] {
        fake.requests.compactMap { request in
            request.body.range(of: #"entrega:[0-9A-F-]{36}"#, options: .regularExpression).map { String(request.body[$0].dropFirst("entrega:".count)) }
        }
    }

    @Test("4,500 enrollments over three pages: one delivery and one message each, a re-run adds none, bills missing are counted")
    func pages() async throws {
        try await withEmaApp { app in
            try await seed(app, count: 4_500)
            let progress = ProgressLog()
            let first = try await app.dispatchService().dispatch(period: Self.period) { read, total in progress.add(read, total) }
            #expect(first == .init(queued: 4_050, alreadyQueued: 0, withoutBill: 450))
            #expect(progress.values.last.map { $0.0 == 4_500 && $0.1 == 4_500 } == true)
            #expect(progress.values.count == 3)
            let again = try await app.dispatchService().dispatch(period: Self.period)
            #expect(again == .init(queued: 0, alreadyQueued: 4_050, withoutBill: 450))
            #expect(try await Delivery.query(on: app.db).count() == 4_050)
            let outbox = try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$lane == "bulk").all()
            #expect(outbox.count == 4_050)
            #expect(Set(outbox.map(\.recipient)).count == 4_050)
            let deliveries = try await Delivery.query(on: app.db).all()
            #expect(Set(deliveries.compactMap(\.outboxID)) == Set(outbox.compactMap(\.id)))
            // Each message names its own delivery and carries the Factura Web button.
            let sample = try #require(outbox.first)
            let delivery = try #require(deliveries.first { $0.outboxID == sample.id })
            #expect(sample.body.contains("entrega:\(try delivery.requireID().uuidString)"))
            #expect(sample.body.contains(#""sub_type":"url""#))
            let report = try await app.dispatchService().report(period: Self.period)
            #expect(report.total == 4_050 && report.byStatus == ["queued": 4_050] && report.waiting == 4_050)
        }
    }

    @Test("The bulk sender hands every bill to the Graph API once, and the report follows")
    func bulkSend() async throws {
        try await withFakeProvider(fallback: Self.accepted) { fake in
            try await withEmaApp(configure: graph(fake)) { app in
                try await seed(app, count: 300)
                _ = try await app.dispatchService().dispatch(period: Self.period)
                try await drainJobs(app)
                let ids = received(fake)
                #expect(ids.count == 270)
                #expect(Set(ids).count == 270)
                let outbox = try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$lane == "bulk").all()
                #expect(outbox.allSatisfy { $0.state == "sent" && $0.wamid == "wamid.ok" && $0.attempts == 1 })
                let report = try await app.dispatchService().report(period: Self.period)
                #expect(report.byStatus == ["sent": 270])
                #expect(report.waiting == 0 && report.uncertain == 0)
            }
        }
    }

    @Test("Refused sends fail with their cause; «retry» sends only those again, once, and a closed period is not retried")
    func retryFailed() async throws {
        try await withFakeProvider(fallback: Self.accepted) { fake in
            try await withEmaApp(configure: graph(fake)) { app in
                try await seed(app, count: 20)
                fake.script(
                    .init(status: .badRequest, body: #"{"error":{"message":"(#131026) Message undeliverable","code":131026}}"#),
                    .init(status: .badRequest, body: #"{"error":{"message":"(#132001) Template does not exist","code":132001}}"#)
                )
                _ = try await app.dispatchService().dispatch(period: Self.period)
                try await drainJobs(app)
                var report = try await app.dispatchService().report(period: Self.period)
                #expect(report.byStatus == ["sent": 16, "failed": 2])
                #expect(report.byCause == ["undeliverable": 1, "content_rejected": 1])
                // A double click: two retries at once queue each failed bill once.
                async let first = app.dispatchService().retryFailed(period: Self.period)
                async let second = app.dispatchService().retryFailed(period: Self.period)
                let retried = try await [first, second]
                #expect(retried.reduce(0, +) == 2)
                #expect(try await app.dispatchService().retryFailed(period: Self.period) == 0)
                try await drainJobs(app)
                report = try await app.dispatchService().report(period: Self.period)
                #expect(report.byStatus == ["sent": 18])
                #expect(report.byCause.isEmpty)
                let ids = received(fake)
                #expect(ids.count == 20)
                #expect(Set(ids).count == 18)

                fake.script(.init(status: .badRequest, body: #"{"error":{"message":"(#131026) Message undeliverable","code":131026}}"#))
                let failed = try #require(try await Delivery.query(on: app.db).first())
                failed.status = "failed"
                try await failed.save(on: app.db)
                _ = try await app.closeService().close(period: Self.period)
                #expect(try await app.dispatchService().retryFailed(period: Self.period) == 0)
            }
        }
    }

    @Test("When the Graph API does not answer, a bill is not resent blindly: it waits, uncertain, for Meta's status or the grace period")
    func unanswered() async throws {
        try await withEmaApp(configure: { config in
            config.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret)
            config.whatsApp.graphURL = "http://127.0.0.1:1/v21.0"
            config.whatsApp.phoneNumberID = "1"
            config.whatsApp.accessToken = Secret("t")
        }) { app in
            try await seed(app, count: 10)
            _ = try await app.dispatchService().dispatch(period: Self.period)
            try await drainJobs(app)
            let outbox = try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$lane == "bulk").all()
            #expect(outbox.count == 9)
            #expect(outbox.allSatisfy { $0.state == "uncertain" && $0.attempts == 1 })
            let report = try await app.dispatchService().report(period: Self.period)
            #expect(report.uncertain == 9 && report.waiting == 0)
            #expect(report.byStatus == ["queued": 9])
        }
    }

    @Test("A crash mid-batch: what reached Meta (it reports a status) is not sent again; what did not is sent once")
    func crashRecovery() async throws {
        let manual = AppClock.Manual(Date())
        try await withFakeProvider(fallback: Self.accepted) { fake in
            try await withEmaApp(clock: manual.clock, configure: graph(fake)) { app in
                try await seed(app, count: 150)
                _ = try await app.dispatchService().dispatch(period: Self.period)
                let sender = app.whatsAppBulkSender()
                // The process claims a batch and dies: 100 rows stay `sending`.
                let claimed = try await sender.claim()
                #expect(claimed.count == 100)
                // Of those, the first 40 had reached Meta, which reports them.
                let webhooks = WhatsAppWebhookTests()
                for row in claimed.prefix(40) {
                    let delivery = try #require(try await Delivery.query(on: app.db).filter(\.$outboxID == row.id).first())
                    let body = Webhook.envelope(#""statuses":[{"id":"wamid.\#(row.id)","status":"sent","timestamp":"1795000030","recipient_id":"\#(row.recipient.dropFirst())","biz_opaque_callback_data":"entrega:\#(try delivery.requireID().uuidString)"}]"#)
                    #expect(try await webhooks.post(app, body) == .ok)
                }
                // Right after the restart nothing is resent: the lease has not run out.
                var result = try await sender.recover(grace: 600)
                #expect(result.uncertain == 0 && result.requeued == 0)
                // Meta's reports settled the ones it got; the lease runs out for the other 60.
                let settled = try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$state == "sent").count()
                #expect(settled == 40)
                manual.advance(by: 130)
                result = try await sender.recover(grace: 600)
                #expect(result.uncertain == 60 && result.requeued == 0)
                // Not yet: Meta's report may still be on its way.
                manual.advance(by: 300)
                #expect(try await sender.recover(grace: 600).requeued == 0)
                manual.advance(by: 301)
                result = try await sender.recover(grace: 600)
                #expect(result.requeued == 60)
                try await drainJobs(app)
                let ids = received(fake)
                // 135 bills in all: 40 had reached Meta before the crash, the other 95 now, once each.
                #expect(ids.count == 95)
                #expect(Set(ids).count == 95)
                let reportedBefore = Set(try await Delivery.query(on: app.db).all().filter { delivery in claimed.prefix(40).contains { $0.id == delivery.outboxID } }.map { try! $0.requireID().uuidString })
                #expect(reportedBefore.isDisjoint(with: Set(ids)))
                let report = try await app.dispatchService().report(period: Self.period)
                #expect(report.byStatus == ["sent": 135])
                #expect(report.uncertain == 0 && report.waiting == 0)
            }
        }
    }
}

/// Collects progress callbacks.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Int, Int)] = []
    func add(_ read: Int, _ total: Int) { lock.withLock { items.append((read, total)) } }
    var values: [(Int, Int)] { lock.withLock { items } }
}
