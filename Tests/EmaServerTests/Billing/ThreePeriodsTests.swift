@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Three billing periods end to end: dispatch to a fake Graph API over HTTP, signed status
/// webhooks as Meta sends them, and the close of each period.
@Suite("Three periods of bills on WhatsApp, end to end")
struct ThreePeriodsTests {
    /// What happens to each customer's bill, period by period: a status and a Meta error code.
    /// A: always delivered. B: number rejected, operator rejected, then only "sent" → deactivated.
    /// C: content rejected, then delivered (the count resets). D: undeliverable, read, undeliverable.
    static let script: [String: [(String, Int?)]] = [
        "A": [("delivered", nil), ("read", nil), ("delivered", nil)],
        "B": [("failed", 131_050), ("failed", 131_049), ("sent", nil)],
        "C": [("failed", 132_001), ("delivered", nil), ("read", nil)],
        "D": [("failed", 131_026), ("read", nil), ("failed", 131_026)],
    ]
    static let phones = ["A": "+573001110001", "B": "+573001110002", "C": "+573001110003", "D": "+573001110004"]

    func status(_ wamid: String, _ value: String, code: Int?, phone: String, delivery: UUID) -> String {
        let errors = code.map { #","errors":[{"code":\#($0),"title":"x"}]"# } ?? ""
        return Webhook.envelope(#""statuses":[{"id":"\#(wamid)","status":"\#(value)","timestamp":"1795000030","recipient_id":"\#(phone.dropFirst())","biz_opaque_callback_data":"entrega:\#(delivery.uuidString)"\#(errors)}]"#)
    }

    @Test("Each failure cause is named; paper follows a failed period; a delivery resets; the third failure in a row deactivates")
    func threePeriods() async throws {
        let accepted = #"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.aceptado"}]}"#
        try await withFakeProvider(fallback: .init(status: .ok, body: accepted)) { graph in
            try await withEmaApp(configure: { config in
                config.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret)
                config.whatsApp.graphURL = graph.baseURL + "/v21.0"
                config.whatsApp.phoneNumberID = "106540352242922"
                config.whatsApp.accessToken = Secret("EAAG-token")
            }) { app in
                _ = try await DemoData.load(into: app)
                // Paper here follows only the failed deliveries (the utility's terms let WhatsApp replace it).
                app.utilityProfile?.paperBill = PaperBillPolicy(keepWithWhatsApp: false)
                let numbers = try await Contract.query(on: app.db).filter(\.$status == "activo").sort(\.$contractNumber).limit(4).all().map(\.contractNumber)
                var contractOf: [String: String] = [:]
                for (index, customer) in ["A", "B", "C", "D"].enumerated() {
                    contractOf[customer] = numbers[index]
                    let outcome = try await EnrollmentService(database: app.db, clock: app.clock).enroll(
                        EnrollmentRequest(phone: Self.phones[customer]!, contractNumber: numbers[index], holderName: "Cliente \(customer)", channel: .whatsapp))
                    #expect(outcome == .enrolled)
                }
                let periods = Set(try await Invoice.query(on: app.db).all().map(\.period)).compactMap(BillingPeriod.init).sorted()
                #expect(periods.count == 3)
                let webhooks = WhatsAppWebhookTests()

                for (index, period) in periods.enumerated() {
                    let summary = try await app.dispatchService().dispatch(period: period)
                    #expect(summary.queued == 4)
                    try await drainJobs(app)
                    for (customer, phone) in Self.phones {
                        let delivery = try #require(try await Delivery.query(on: app.db).filter(\.$period == period.description).filter(\.$phone == phone).first())
                        #expect(delivery.status == "sent")
                        let (value, code) = Self.script[customer]![index]
                        #expect(try await webhooks.post(app, status("wamid.\(customer)\(index)", value, code: code, phone: phone, delivery: delivery.requireID())) == .ok)
                    }
                    let closed = try await app.closeService().close(period: period)
                    #expect(closed.failed == Self.script.values.filter { $0[index].0 == "failed" || $0[index].0 == "sent" }.count)

                    let causes = Dictionary(uniqueKeysWithValues: try await Delivery.query(on: app.db).filter(\.$period == period.description).all().map { ($0.phone, $0.failureCause) })
                    let paper = try await app.paperList().csv(period: period.next).csv
                    switch index {
                    case 0:
                        #expect(causes[Self.phones["A"]!]! == nil)
                        #expect(causes[Self.phones["B"]!] == "number_rejected")
                        #expect(causes[Self.phones["C"]!] == "content_rejected")
                        #expect(causes[Self.phones["D"]!] == "undeliverable")
                        for customer in ["B", "C", "D"] { #expect(paper.contains("\n\(contractOf[customer]!),")) }
                        #expect(!paper.contains("\n\(contractOf["A"]!),"))
                    case 1:
                        #expect(causes[Self.phones["B"]!] == "operator_rejected")
                        #expect(paper.contains("\n\(contractOf["B"]!),"))
                        #expect(!paper.contains("\n\(contractOf["C"]!),"))
                    default:
                        // Only "sent" when the period closed: undeliverable.
                        #expect(causes[Self.phones["B"]!] == "undeliverable")
                    }
                }

                var enrollments: [String: Enrollment] = [:]
                for (customer, phone) in Self.phones {
                    enrollments[customer] = try #require(try await Enrollment.query(on: app.db).filter(\.$phone == phone).first())
                }
                #expect(enrollments["A"]!.status == "active" && enrollments["A"]!.consecutiveFailedPeriods == 0)
                #expect(enrollments["B"]!.status == "deactivated")
                #expect(enrollments["B"]!.endReason?.isEmpty == false)
                #expect(enrollments["C"]!.status == "active" && enrollments["C"]!.consecutiveFailedPeriods == 0)
                #expect(enrollments["D"]!.status == "active" && enrollments["D"]!.consecutiveFailedPeriods == 1)
                let contractC = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == contractOf["C"]!).first())
                #expect(!contractC.paperInvoice)
                let sms = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").all()
                #expect(sms.map(\.recipient) == [Self.phones["B"]!])
                // Twelve bills reached the Graph API, each once, each naming its own delivery.
                let sends = graph.requests.filter { $0.path.hasSuffix("/messages") }
                #expect(sends.count == 12)
                let ids = Set(sends.compactMap { body -> String? in
                    guard let range = body.body.range(of: #"entrega:[0-9A-F-]{36}"#, options: .regularExpression) else { return nil }
                    return String(body.body[range])
                })
                #expect(ids.count == 12)
                // A fourth dispatch of a closed period sends nothing more.
                let again = try await app.dispatchService().dispatch(period: periods[2])
                #expect(again.queued == 0)
            }
        }
    }
}
