@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("The monthly bill on WhatsApp: dispatch and tracking")
struct DispatchTests {
    /// Demo data, three active enrollments on two numbers, and the latest demo period.
    func prepare(_ app: Application) async throws -> BillingPeriod {
        _ = try await DemoData.load(into: app)
        let service = EnrollmentService(database: app.db, clock: app.clock)
        let active = try await Contract.query(on: app.db).filter(\.$status == "activo").sort(\.$contractNumber).all().map(\.contractNumber)
        for (phone, number) in [("+573001234567", active[0]), ("+573001234567", active[1]), ("+573109876543", active[2])] {
            let outcome = try await service.enroll(EnrollmentRequest(phone: phone, contractNumber: number, holderName: "Ana Gómez", channel: .web))
            #expect(outcome == .enrolled)
        }
        let latest = try #require(try await Invoice.query(on: app.db).sort(\.$period, .descending).first()).period
        return try #require(BillingPeriod(latest))
    }

    @Test("One template per enrollment and bill, with the PDF link and the delivery id; a re-run sends nothing twice")
    func dispatchOnce() async throws {
        try await withEmaApp(configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            let period = try await prepare(app)
            let first = try await app.dispatchService().dispatch(period: period)
            #expect(first == .init(queued: 3, alreadyQueued: 0, withoutBill: 0))
            let again = try await app.dispatchService().dispatch(period: period)
            #expect(again == .init(queued: 0, alreadyQueued: 3, withoutBill: 0))
            try await drainJobs(app)
            let sent = try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").all().map(\.body)
            #expect(sent.count == 3)
            #expect(sent.allSatisfy { $0.contains(#""name":"factura_disponible""#) && $0.contains("/facturas/") && $0.contains(".pdf") && $0.contains("entrega:") })
            let deliveries = try await Delivery.query(on: app.db).all()
            #expect(deliveries.count == 3)
            #expect(deliveries.allSatisfy { $0.status == "sent" })
            // The link in the message opens the bill.
            let link = try #require(sent.first.flatMap { $0.range(of: #"/facturas/[A-Za-z0-9_-]+\.pdf"#, options: .regularExpression).map { String($0.lowerBound < $0.upperBound ? sent.first![$0] : "") } })
            try await app.testing().test(.GET, String(link.dropFirst())) { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType == "pdf")
            }
        }
    }

    @Test("A bill paid before its message leaves says it is paid; one paid in part says what is still owed")
    func paidBeforeSending() async throws {
        try await withEmaApp(configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            let period = try await prepare(app)
            let enrolled = try await Enrollment.query(on: app.db).filter(\.$status == "active").with(\.$contract).all()
                .map(\.contract).sorted { $0.contractNumber < $1.contractNumber }
            var bills: [Invoice] = []
            for contract in enrolled {
                bills.append(try #require(try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).filter(\.$period == period.description).first()))
            }
            func pay(_ bill: Invoice, _ amount: Int64) async throws {
                bill.paidCOP = amount
                bill.paidAt = app.clock.now()
                try await bill.save(on: app.db)
            }
            // Paid before the dispatch; then, with the messages queued, one paid in full and one in part.
            try await pay(bills[0], bills[0].amountCOP)
            _ = try await app.dispatchService().dispatch(period: period)
            try await pay(bills[1], bills[1].amountCOP)
            try await pay(bills[2], bills[2].amountCOP - 10_000)
            try await drainJobs(app)
            let sent = try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").all().map(\.body)
            #expect(sent.count == 3)
            func message(_ bill: Invoice) throws -> String {
                try #require(sent.first { $0.contains("\"\(enrolled.first { $0.id == bill.$contract.id }!.contractNumber)\"") })
            }
            for paid in bills[0...1] {
                let body = try message(paid)
                #expect(body.contains(#""name":"factura_pagada""#) && body.contains(".pdf") && body.contains("entrega:"), "\(body)")
                #expect(!body.contains(Money.format(cop: paid.amountCOP)))
            }
            let partial = try message(bills[2])
            #expect(partial.contains(#""name":"factura_disponible""#))
            #expect(partial.contains("\"$ 10.000\""), "\(partial)")
            #expect(!partial.contains(Money.format(cop: bills[2].amountCOP)))
            // Every delivery is tracked as before.
            #expect(try await Delivery.query(on: app.db).all().allSatisfy { $0.status == "sent" })
        }
    }

    @Test("Status webhooks move deliveries forward and name the failure cause")
    func tracking() async throws {
        try await withEmaApp(configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            let period = try await prepare(app)
            _ = try await app.dispatchService().dispatch(period: period)
            try await drainJobs(app)
            let deliveries = try await Delivery.query(on: app.db).sort(\.$createdAt).all()
            let tests = WhatsAppWebhookTests()
            func status(_ wamid: String, _ value: String, _ delivery: Delivery, code: Int? = nil) -> String {
                let errors = code.map { #","errors":[{"code":\#($0),"title":"x"}]"# } ?? ""
                return Webhook.envelope(#""statuses":[{"id":"\#(wamid)","status":"\#(value)","timestamp":"1795000030","recipient_id":"573001234567","biz_opaque_callback_data":"entrega:\#(delivery.id!.uuidString)"\#(errors)}]"#)
            }
            #expect(try await tests.post(app, status("wamid.a", "delivered", deliveries[0])) == .ok)
            #expect(try await tests.post(app, status("wamid.a", "read", deliveries[0])) == .ok)
            #expect(try await tests.post(app, status("wamid.b", "failed", deliveries[1], code: 131_026)) == .ok)
            #expect(try await tests.post(app, status("wamid.c", "failed", deliveries[2], code: 131_049)) == .ok)
            #expect(try await tests.post(app, status("wamid.c", "delivered", deliveries[2])) == .ok)
            let after = try await Delivery.query(on: app.db).sort(\.$createdAt).all()
            #expect(after.map(\.status) == ["read", "failed", "delivered"])
            #expect(after.map(\.failureCause) == [nil, "undeliverable", nil])

            try await app.testing().test(.GET, "api/v1/admin/deliveries?period=\(period)", headers: ["Authorization": "Bearer x"]) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("A template Meta refuses fails the delivery with its cause, without retries")
    func refusedAtSend() async throws {
        try await withFakeProvider(fallback: .init(status: .notFound, body: #"{"error":{"message":"(#132001) Template name does not exist in the translation","code":132001}}"#)) { graph in
            try await withEmaApp(configure: { config in
                config.whatsApp.graphURL = graph.baseURL
                config.whatsApp.phoneNumberID = "1"
                config.whatsApp.accessToken = Secret("t")
                config.adminToken = Secret("token-admin-entregas")
            }) { app in
                let period = try await prepare(app)
                _ = try await app.dispatchService().dispatch(period: period)
                try await drainJobs(app)
                #expect(graph.requests.count == 3)
                try await app.testing().test(.GET, "api/v1/admin/deliveries?period=\(period)", headers: ["Authorization": "Bearer token-admin-entregas"]) { response in
                    let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
                    let items = json["deliveries"] as? [[String: Any]] ?? []
                    #expect(items.count == 3)
                    #expect(items.allSatisfy { $0["status"] as? String == "failed" && $0["failureCause"] as? String == "content_rejected" })
                    #expect(items.allSatisfy { ($0["phone"] as? String)?.hasPrefix("+57") == true && ($0["contractNumber"] as? String)?.isEmpty == false })
                }
                try await app.testing().test(.GET, "api/v1/admin/deliveries?period=noviembre", headers: ["Authorization": "Bearer token-admin-entregas"]) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.body.string.contains(#""code":"invalid_period""#), "\(response.body.string)")
                }
            }
        }
    }
}
