@testable import EmaServer
import EmaCore
import Fluent
import SQLKit
import Foundation
import Testing
import Vapor

@Suite("Closing a period: the failed-delivery policy")
struct CloseTests {
    /// One enrollment of the demo contract 10234567 and its three demo periods, oldest first.
    func prepare(_ app: Application) async throws -> [BillingPeriod] {
        _ = try await DemoData.load(into: app)
        let outcome = try await EnrollmentService(database: app.db, clock: app.clock)
            .enroll(EnrollmentRequest(phone: "+573001234567", contractNumber: "10234567", holderName: "María Restrepo", channel: .whatsapp))
        #expect(outcome == .enrolled)
        return Set(try await Invoice.query(on: app.db).all().map(\.period)).compactMap(BillingPeriod.init).sorted()
    }

    /// Dispatches a period and sets the delivery's status as the webhooks would.
    func run(_ app: Application, _ period: BillingPeriod, ending status: DeliveryStatus?) async throws -> CloseService.Summary {
        _ = try await app.dispatchService().dispatch(period: period)
        if let status {
            for delivery in try await Delivery.query(on: app.db).filter(\.$period == period.description).all() {
                delivery.status = status.rawValue
                try await delivery.save(on: app.db)
            }
        }
        return try await app.closeService().close(period: period)
    }

    func enrollment(_ app: Application) async throws -> Enrollment {
        try #require(try await Enrollment.query(on: app.db).filter(\.$phone == "+573001234567").first())
    }

    @Test("Three undelivered periods in a row: paper each next period, then deactivation and an SMS")
    func threeFailures() async throws {
        try await withEmaApp { app in
            let periods = try await prepare(app)
            #expect(periods.count == 3)
            let first = try await run(app, periods[0], ending: nil)
            #expect(first == .init(delivered: 0, failed: 1, markedUndeliverable: 1, paperNextPeriod: 1, deactivated: 0))
            #expect(try await enrollment(app).consecutiveFailedPeriods == 1)
            #expect(try await Delivery.query(on: app.db).filter(\.$period == periods[0].description).first()?.failureCause == "undeliverable")
            _ = try await run(app, periods[1], ending: .failed)
            let third = try await run(app, periods[2], ending: .sent)
            #expect(third.deactivated == 1)
            let ended = try await enrollment(app)
            #expect(ended.status == "deactivated")
            #expect(ended.endReason?.contains("3 periodos") == true)
            let sms = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").all()
            #expect(sms.count == 1)
            #expect(sms.first?.recipient == "+573001234567")
            #expect(sms.first?.body.contains("desactivamos") == true)
            let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            #expect(contract.paperInvoice)
            // The printing house's list for the period after the last failure.
            let csv = try await app.paperList().csv(period: periods[2].next).csv
            #expect(csv.hasPrefix("contract_number,holder_name,address,municipality,segment,period,reason,reason_code\n"))
            #expect(csv.contains("10234567,María Fernanda Restrepo Gómez,CL 50 45 12 AP 301,Medellín,hogares,\(periods[2].next),"))
            // Deactivated by then: paper is its usual channel again, and the failure says why too.
            #expect(csv.contains("su canal habitual es la factura impresa; sin entrega por WhatsApp en \(periods[2]),canal_habitual;entrega_fallida\n"))
        }
    }

    @Test("A delivered bill resets the count and takes the contract off paper; closing twice changes nothing")
    func deliveredResets() async throws {
        try await withEmaApp { app in
            let periods = try await prepare(app)
            _ = try await run(app, periods[0], ending: .failed)
            #expect(try await enrollment(app).consecutiveFailedPeriods == 1)
            let second = try await run(app, periods[1], ending: .read)
            #expect(second == .init(delivered: 1, failed: 0, markedUndeliverable: 0, paperNextPeriod: 0, deactivated: 0))
            #expect(try await enrollment(app).consecutiveFailedPeriods == 0)
            let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            #expect(!contract.paperInvoice)
            let again = try await app.closeService().close(period: periods[1])
            #expect(again == .init())
            #expect(try await enrollment(app).consecutiveFailedPeriods == 0)
            // Paper is still its usual channel (the terms keep it), but not for a failed delivery.
            let line = try await app.paperList().csv(period: periods[1].next).csv.split(separator: "\n").first { $0.hasPrefix("10234567,") }
            #expect(line?.hasSuffix(",canal_habitual_con_whatsapp") == true)
        }
    }

    @Test("The printing house's CSV neutralises cells a spreadsheet would run and counts contracts, not lines")
    func paperListForPeople() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            // Only the failed deliveries on paper: the rest get their bill by e-mail.
            try await app.db.sql.raw("UPDATE contracts SET bill_channels = 'correo'").run()
            let contracts = try await Contract.query(on: app.db).sort(\.$contractNumber).limit(3).all()
            contracts[0].holderName = "=HYPERLINK(\"http://malo.example\",\"Pagar\")"
            contracts[1].address = "CL 10 20 30\nAP 401, torre B"
            contracts[2].holderName = "@SUM(1+1)*cmd|' /C calc'!A0"
            for contract in contracts {
                try await contract.save(on: app.db)
                let paper = PaperBill()
                paper.$contract.id = try contract.requireID()
                paper.period = "2026-12"
                paper.reason = "-entrega fallida"
                paper.createdAt = Date()
                try await paper.create(on: app.db)
            }
            let (csv, count) = try await app.paperList().csv(period: BillingPeriod("2026-12")!)
            #expect(count == 3)
            var parser = CSVParser()
            var records: [CSVRecord] = []
            parser.feed(Array(csv.utf8)) { records.append($0) }
            parser.finish { records.append($0) }
            #expect(records.count == 4, "a header and three contracts, whatever line breaks the fields hold")
            let cells = records.dropFirst().flatMap(\.fields)
            #expect(!cells.contains { ["=", "+", "-", "@"].contains($0.first.map(String.init) ?? "") })
            #expect(cells.contains("'=HYPERLINK(\"http://malo.example\",\"Pagar\")"))
            #expect(cells.contains("'-entrega fallida"))
            #expect(cells.contains("CL 10 20 30\nAP 401, torre B"))
        }
    }
}
