@testable import EmaServer
import Crypto
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Wompi: hosted checkout and signed events")
struct WompiTests {
    static let eventsSecret = "test_events_secreto"
    static let integritySecret = "test_integrity_secreto"

    func wompi(_ fake: FakeProviderServer) -> (inout AppConfig) -> Void {
        { config in
            config.wompi.apiURL = fake.baseURL + "/v1"
            config.wompi.checkoutURL = "https://checkout.example/p/"
            config.wompi.credentials = .init(publicKey: "pub_test_abc", integritySecret: Secret(Self.integritySecret), eventsSecret: Secret(Self.eventsSecret))
        }
    }

    static func transactionJSON(id: String, reference: String, cents: Int64, status: String) -> String {
        #"{"data":{"id":"\#(id)","reference":"\#(reference)","amount_in_cents":\#(cents),"currency":"COP","status":"\#(status)","payment_method_type":"PSE"}}"#
    }

    /// An event as Wompi signs it: SHA-256 of the listed properties' values, the timestamp and
    /// the events secret.
    static func event(id: String, status: String, cents: Int64, reference: String, secret: String = eventsSecret, timestamp: Int = 1_795_000_000) -> String {
        let checksum = SHA256.hash(data: Data("\(id)\(status)\(cents)\(timestamp)\(secret)".utf8)).map { String(format: "%02X", $0) }.joined()
        return #"{"event":"transaction.updated","data":{"transaction":{"id":"\#(id)","amount_in_cents":\#(cents),"reference":"\#(reference)","currency":"COP","status":"\#(status)"}},"environment":"test","signature":{"properties":["transaction.id","transaction.status","transaction.amount_in_cents"],"checksum":"\#(checksum)"},"timestamp":\#(timestamp),"sent_at":"2026-11-22T12:00:00.000Z"}"#
    }

    func post(_ tester: any TestingApplicationTester, _ body: String) async throws -> (HTTPResponseStatus, String) {
        var result: (HTTPResponseStatus, String) = (.ok, "")
        try await tester.test(.POST, "webhooks/wompi", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body), afterResponse: { response in
            result = (response.status, response.body.string)
        })
        return result
    }

    /// Starts a payment for the demo bill and returns it with the checkout URL.
    func start(_ app: Application) async throws -> (Invoice, Payment, String) {
        let bill = try await demoLatestBill(app)
        let web = FacturaWebClient(tester: try app.testing())
        let started = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": try await web.paymentKey(contract: "10234567", invoice: bill.invoiceNumber)])
        let payment = try #require(try await Payment.query(on: app.db).first())
        return (bill, payment, started.location)
    }

    @Test("The checkout redirect carries the public key, amount in cents, reference, return URL and a correct integrity signature")
    func checkoutRedirect() async throws {
        try await withFakeProvider(fallback: .init(status: .notFound, body: "{}")) { fake in
            try await withEmaApp(configure: wompi(fake)) { app in
                let (bill, payment, location) = try await start(app)
                let url = try #require(URLComponents(string: location))
                #expect(location.hasPrefix("https://checkout.example/p/?"))
                let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
                let cents = bill.amountCOP * 100
                #expect(query["public-key"] == "pub_test_abc")
                #expect(query["currency"] == "COP")
                #expect(query["amount-in-cents"] == String(cents))
                #expect(query["reference"] == payment.reference)
                #expect(query["redirect-url"] == "http://127.0.0.1:8080/factura/pago/\(payment.reference)")
                let expected = SHA256.hash(data: Data("\(payment.reference)\(cents)COP\(Self.integritySecret)".utf8)).map { String(format: "%02x", $0) }.joined()
                #expect(query["signature:integrity"] == expected)
            }
        }
    }

    @Test("A signed event, confirmed against Wompi's API, pays the bill once; a replay changes nothing")
    func signedEventAndReplay() async throws {
        try await withFakeProvider(fallback: .init(status: .notFound, body: "{}")) { fake in
            try await withEmaApp(configure: wompi(fake)) { app in
                let (bill, payment, _) = try await start(app)
                let cents = bill.amountCOP * 100
                let api = Self.transactionJSON(id: "12345-1795000000-10001", reference: payment.reference, cents: cents, status: "APPROVED")
                fake.script(.init(status: .ok, body: api), .init(status: .ok, body: api))
                let event = Self.event(id: "12345-1795000000-10001", status: "APPROVED", cents: cents, reference: payment.reference)
                let tester = try app.testing()
                #expect(try await post(tester, event).0 == .ok)
                #expect(try await post(tester, event).0 == .ok)
                let paid = try #require(try await Invoice.find(bill.requireID(), on: app.db))
                #expect(paid.paidCOP == bill.amountCOP)
                #expect(fake.requests.map(\.path) == ["/v1/transactions/12345-1795000000-10001", "/v1/transactions/12345-1795000000-10001"])
                #expect(fake.requests.first?.headers.bearerAuthorization?.token == "pub_test_abc")
                let stored = try #require(try await Payment.find(payment.requireID(), on: app.db))
                #expect(stored.status == "approved")
                #expect(stored.gatewayTransactionID == "12345-1795000000-10001")
            }
        }
    }

    @Test("Forged events (wrong secret, altered status, no signature, not JSON) are refused and pay nothing")
    func forgedEvents() async throws {
        try await withFakeProvider(fallback: .init(status: .notFound, body: "{}")) { fake in
            try await withEmaApp(configure: wompi(fake)) { app in
                let (bill, payment, _) = try await start(app)
                let cents = bill.amountCOP * 100
                let tester = try app.testing()
                let wrongSecret = Self.event(id: "t-1", status: "APPROVED", cents: cents, reference: payment.reference, secret: "otro")
                let altered = Self.event(id: "t-1", status: "DECLINED", cents: cents, reference: payment.reference)
                    .replacingOccurrences(of: "\"status\":\"DECLINED\"", with: "\"status\":\"APPROVED\"")
                let unsigned = #"{"event":"transaction.updated","data":{"transaction":{"id":"t-1","status":"APPROVED","amount_in_cents":1}},"timestamp":1}"#
                for body in [wrongSecret, altered, unsigned, "esto no es json"] {
                    let (status, text) = try await post(tester, body)
                    #expect(status == .unauthorized)
                    #expect(text.contains("invalid_signature"))
                }
                #expect(fake.requests.isEmpty)
                #expect(try #require(try await Invoice.find(bill.requireID(), on: app.db)).paidCOP == 0)
            }
        }
    }

    @Test("A transaction whose amount differs from the bill's attempt is not applied and the attempt is marked")
    func wrongAmount() async throws {
        try await withFakeProvider(fallback: .init(status: .notFound, body: "{}")) { fake in
            try await withEmaApp(configure: wompi(fake)) { app in
                let (bill, payment, _) = try await start(app)
                fake.script(.init(status: .ok, body: Self.transactionJSON(id: "t-2", reference: payment.reference, cents: 100_000, status: "APPROVED")))
                #expect(try await post(try app.testing(), Self.event(id: "t-2", status: "APPROVED", cents: 100_000, reference: payment.reference)).0 == .ok)
                #expect(try #require(try await Invoice.find(bill.requireID(), on: app.db)).paidCOP == 0)
                let stored = try #require(try await Payment.find(payment.requireID(), on: app.db))
                #expect(stored.status == "error")
                #expect(stored.problem == "amount_mismatch")
            }
        }
    }

    @Test("The return page trusts Wompi's API, not the browser: a declined transaction stays declined whatever the URL says")
    func returnPage() async throws {
        try await withFakeProvider(fallback: .init(status: .notFound, body: "{}")) { fake in
            try await withEmaApp(configure: wompi(fake)) { app in
                let (bill, payment, _) = try await start(app)
                fake.script(.init(status: .ok, body: Self.transactionJSON(id: "t-3", reference: payment.reference, cents: bill.amountCOP * 100, status: "DECLINED")))
                let web = FacturaWebClient(tester: try app.testing())
                let page = try await web.get("factura/pago/\(payment.reference)?id=t-3&status=APPROVED")
                #expect(page.body.contains("no fue aprobado"))
                #expect(try #require(try await Invoice.find(bill.requireID(), on: app.db)).paidCOP == 0)
                // Pending at Wompi: the page says so and refreshes itself.
                let (_, other, _) = try await startAnother(app, bill: bill)
                fake.script(.init(status: .ok, body: Self.transactionJSON(id: "t-4", reference: other.reference, cents: bill.amountCOP * 100, status: "PENDING")))
                let pending = try await web.get("factura/pago/\(other.reference)?id=t-4")
                #expect(pending.body.contains("Tu pago está en proceso"))
                #expect(pending.body.contains(#"data-refrescar="5""#))
            }
        }
    }

    @Test("A payment left pending is asked about again by the reconciliation job and applied when the bank confirms")
    func reconciliation() async throws {
        let manual = AppClock.Manual(Date())
        try await withFakeProvider(fallback: .init(status: .notFound, body: "{}")) { fake in
            try await withEmaApp(clock: manual.clock, configure: wompi(fake)) { app in
                let (bill, payment, _) = try await start(app)
                let cents = bill.amountCOP * 100
                fake.script(.init(status: .ok, body: Self.transactionJSON(id: "t-5", reference: payment.reference, cents: cents, status: "PENDING")))
                _ = try await FacturaWebClient(tester: try app.testing()).get("factura/pago/\(payment.reference)?id=t-5")
                let context = JobContext(database: app.db, application: app, logger: app.logger, clock: app.clock)
                // Too recent: left alone.
                try await ReconcilePaymentsJob.run(context, "")
                #expect(fake.requests.count == 1)
                manual.advance(by: 180)
                fake.script(.init(status: .ok, body: Self.transactionJSON(id: "t-5", reference: payment.reference, cents: cents, status: "APPROVED")))
                try await ReconcilePaymentsJob.run(context, "")
                #expect(fake.requests.count == 2)
                #expect(try #require(try await Invoice.find(bill.requireID(), on: app.db)).paidCOP == bill.amountCOP)
                // Settled: never asked again.
                manual.advance(by: 600)
                try await ReconcilePaymentsJob.run(context, "")
                #expect(fake.requests.count == 2)
            }
        }
    }

    @Test("If Wompi's API does not answer, the return page still answers: the payment shows as in process")
    func returnPageGatewayDown() async throws {
        try await withFakeProvider(fallback: .init(status: .internalServerError, body: "{}")) { fake in
            try await withEmaApp(configure: wompi(fake)) { app in
                let (bill, payment, _) = try await start(app)
                let page = try await FacturaWebClient(tester: try app.testing()).get("factura/pago/\(payment.reference)?id=t-9")
                #expect(page.status == .ok)
                #expect(page.body.contains("Tu pago está en proceso"))
                #expect(fake.requests.count == 1)
                #expect(try #require(try await Invoice.find(bill.requireID(), on: app.db)).paidCOP == 0)
            }
        }
    }

    func startAnother(_ app: Application, bill: Invoice) async throws -> (Invoice, Payment, String) {
        let web = FacturaWebClient(tester: try app.testing())
        let key = try await web.paymentKey(contract: "10234567", invoice: bill.invoiceNumber)
        let started = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": key])
        let payment = try #require(try await Payment.query(on: app.db).filter(\.$idempotencyKey == key).first())
        return (bill, payment, started.location)
    }

    @Test("Without Wompi keys the webhook is closed; a partial configuration is refused at start-up")
    func configuration() async throws {
        try await withEmaApp { app in
            var status = HTTPResponseStatus.ok
            try await app.testing().test(.POST, "webhooks/wompi", body: ByteBuffer(string: "{}"), afterResponse: { status = $0.status })
            #expect(status == .notFound)
        }
        #expect(throws: ConfigError.self) { try AppConfig(environment: ["WOMPI_PUBLIC_KEY": "pub_test_x"]) }
        let config = try AppConfig(environment: ["WOMPI_PUBLIC_KEY": "pub_test_x", "WOMPI_INTEGRITY_SECRET": "i", "WOMPI_EVENTS_SECRET": "e", "WOMPI_API_URL": "https://sandbox.wompi.co/v1"])
        #expect(config.wompi.apiURL == "https://sandbox.wompi.co/v1")
        #expect(config.summary(sandbox: false).contains("pagos=https://sandbox.wompi.co/v1"))
    }
}
