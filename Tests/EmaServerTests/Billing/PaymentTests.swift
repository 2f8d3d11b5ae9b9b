@testable import EmaServer
import Crypto
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A customer in Factura Web, over HTTP.
struct FacturaWebClient {
    let tester: any TestingApplicationTester

    struct Answer {
        let status: HTTPResponseStatus
        let location: String
        let body: String
    }

    func get(_ path: String) async throws -> Answer {
        var answer = Answer(status: .ok, location: "", body: "")
        try await tester.test(.GET, path, afterResponse: { response in
            answer = Answer(status: response.status, location: response.headers.first(name: .location) ?? "", body: response.body.string)
        })
        return answer
    }

    func post(_ path: String, _ fields: [String: String], headers: HTTPHeaders = [:]) async throws -> Answer {
        var answer = Answer(status: .ok, location: "", body: "")
        try await tester.test(.POST, path, headers: headers, beforeRequest: { request in
            try request.content.encode(fields, as: .urlEncodedForm)
        }, afterResponse: { response in
            answer = Answer(status: response.status, location: response.headers.first(name: .location) ?? "", body: response.body.string)
        })
        return answer
    }

    /// The `intento` key the contract page offers for a bill.
    func paymentKey(contract: String, invoice: String) async throws -> String {
        let page = try await get("factura/\(contract)").body
        let form = try #require(page.range(of: "value=\"\(invoice)\"")).upperBound
        let key = try #require(page[form...].range(of: "name=\"intento\" value=\""))
        return String(page[key.upperBound...].prefix(32))
    }
}

@Suite("Factura Web and payments")
struct PaymentTests {
    /// The demo data and the latest bill of contract 10234567.
    func latestBill(_ app: Application) async throws -> Invoice {
        try await demoLatestBill(app)
    }

    func reload(_ invoice: Invoice, _ app: Application) async throws -> Invoice {
        try #require(try await Invoice.find(invoice.requireID(), on: app.db))
    }

    @Test("The contract page shows only the masked holder and address, each bill with its balance, PDF and pay button")
    func contractPage() async throws {
        try await withEmaApp { app in
            let bill = try await latestBill(app)
            let web = FacturaWebClient(tester: try app.testing())
            let page = try await web.get("factura?contrato=10.234.567")
            #expect(page.status == .ok)
            #expect(page.body.contains("Ma*** Fe*** Re*** Gó***"))
            #expect(!page.body.contains("Restrepo"))
            #expect(page.body.contains("CL 50 # 45-** · Medellín"))
            #expect(!page.body.contains("AP 301"))
            #expect(page.body.contains(Money.format(cop: bill.amountCOP)))
            #expect(page.body.contains("/facturas/"))
            #expect(page.body.contains("action=\"/factura/10234567/pagar\""))
            let pdf = try #require(page.body.range(of: #"/facturas/[A-Za-z0-9_-]+\.pdf"#, options: .regularExpression))
            let document = try await web.get(String(page.body[pdf].dropFirst()))
            #expect(document.status == .ok)
            #expect(document.body.hasPrefix("%PDF-"))
        }
    }

    @Test("Unknown and malformed contract numbers get a clear Spanish answer; lookups are rate-limited per address")
    func badLookups() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let web = FacturaWebClient(tester: try app.testing(method: .running(port: 0)))
            let unknown = try await web.get("factura/99999999")
            #expect(unknown.status == .notFound)
            #expect(unknown.body.contains("No encontramos el contrato 99999999"))
            let malformed = try await web.get("factura?contrato=12ab")
            #expect(malformed.status == .badRequest)
            #expect(malformed.body.contains("entre 4 y 12 dígitos"))
            for _ in 0..<59 { _ = try await web.get("factura/99999998") }  // 60 lookups in all
            let limited = try await web.get("factura/10234567")
            #expect(limited.status == .tooManyRequests)
        }
    }

    @Test("Sandbox PSE: a double submit is one attempt, approval pays the bill once, a second click or a late decline changes nothing")
    func sandboxApproval() async throws {
        try await withEmaApp { app in
            let bill = try await latestBill(app)
            let web = FacturaWebClient(tester: try app.testing())
            let key = try await web.paymentKey(contract: "10234567", invoice: bill.invoiceNumber)
            let first = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": key])
            let second = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": key])
            #expect(first.status == .seeOther)
            #expect(first.location.hasPrefix("/pagos/sandbox/EMA"))
            #expect(second.location == first.location)
            #expect(try await Payment.query(on: app.db).count() == 1)

            // No receipt before the bank approves.
            let attempt = String(first.location.split(separator: "/").last ?? "")
            let early = try await web.get("factura/pago/\(attempt)/comprobante.pdf")
            #expect(early.status == .conflict && early.body.contains("El comprobante estará disponible cuando el banco apruebe"))
            let gatewayPage = try await web.get(String(first.location.dropFirst()))
            #expect(gatewayPage.body.contains("Bancolombia"))
            #expect(gatewayPage.body.contains(Money.format(cop: bill.amountCOP)))
            let approved = try await web.post(String(first.location.dropFirst()), ["banco": "Nequi", "decision": "aprobar"])
            #expect(approved.status == .seeOther)
            #expect(approved.location.contains("/factura/pago/EMA"))
            let again = try await web.post(String(first.location.dropFirst()), ["banco": "Nequi", "decision": "aprobar"])
            let declinedLate = try await web.post(String(first.location.dropFirst()), ["banco": "Nequi", "decision": "rechazar"])
            #expect(again.location == approved.location)
            #expect(declinedLate.location == approved.location)

            let paid = try await reload(bill, app)
            #expect(paid.paidCOP == bill.amountCOP)
            #expect(paid.paidAt != nil)
            let payment = try #require(try await Payment.query(on: app.db).first())
            #expect(payment.status == "approved")
            #expect(payment.method == "PSE · Nequi")

            let result = try await web.get(String(approved.location.dropFirst()))
            #expect(result.body.contains("Tu pago fue aprobado"))
            // One payment reference: the bill's, as printed on it; the attempt is the transaction's number.
            let billReference = BillDocument.paymentReference(contractNumber: "10234567", period: bill.period)
            #expect(result.body.contains(#"id="referencia">\#(billReference)<"#) && result.body.contains(#"id="transaccion">\#(payment.reference)<"#))
            #expect(result.body.contains("/factura/pago/\(payment.reference)/comprobante.pdf"))
            let receipt = try await web.get("factura/pago/\(payment.reference)/comprobante.pdf")
            let holder = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first()).holderName
            #expect(receipt.status == .ok && receipt.body.hasPrefix("%PDF"))
            #expect(receipt.body.contains(Money.format(cop: bill.amountCOP)) && receipt.body.contains(billReference) && receipt.body.contains(payment.reference))
            // The holder masked: no given name whole (the accents are WinAnsi bytes, so look at the ASCII ones).
            let given = try #require(holder.split(separator: " ").first { $0.allSatisfy(\.isASCII) && $0.count > 3 })
            #expect(receipt.body.contains("Comprobante de pago") && !receipt.body.contains(given))
            let page = try await web.get("factura/10234567").body
            let card = try #require(page.range(of: "data-factura=\"\(bill.invoiceNumber)\""))
            #expect(page[card.upperBound...].prefix(200).contains("Pagada"))
            #expect(!page.contains("name=\"factura\" value=\"\(bill.invoiceNumber)\""))
            let retry = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": String(repeating: "b", count: 32)])
            #expect(retry.status == .conflict)
            #expect(retry.body.contains("ya está pagada"))
            #expect(try await Payment.query(on: app.db).count() == 1)
        }
    }

    @Test("Sandbox PSE: a declined payment applies nothing and the customer can try again with a new attempt")
    func sandboxDecline() async throws {
        try await withEmaApp { app in
            let bill = try await latestBill(app)
            let web = FacturaWebClient(tester: try app.testing())
            let start = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": try await web.paymentKey(contract: "10234567", invoice: bill.invoiceNumber)])
            let declined = try await web.post(String(start.location.dropFirst()), ["banco": "Davivienda", "decision": "rechazar"])
            #expect(try await web.get(String(declined.location.dropFirst())).body.contains("no fue aprobado"))
            #expect(try await reload(bill, app).paidCOP == 0)
            let retry = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": try await web.paymentKey(contract: "10234567", invoice: bill.invoiceNumber)])
            #expect(retry.location != start.location)
            #expect(try await Payment.query(on: app.db).count() == 2)
        }
    }

    @Test("Ema tells the balance, sends the PDF and the pay link; once paid in Factura Web, «cuánto debo» says $ 0")
    func emaReflectsPayment() async throws {
        try await withEmaApp { app in
            let bill = try await latestBill(app)
            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.pick("consentimiento_si")
            try await chat.say("cuánto debo")
            try await chat.say("10234567")
            #expect(chat.text.contains("Saldo a pagar: \(Money.format(cop: bill.amountCOP))"))
            try await chat.pick("factura_duplicado")
            let pdf = try #require(chat.replies.compactMap { if case .document(let url, _, _) = $0 { url } else { nil } }.first)
            let web = FacturaWebClient(tester: try app.testing())
            #expect(try await web.get(String(pdf.dropFirst("http://127.0.0.1:8080/".count))).body.hasPrefix("%PDF-"))
            try await chat.pick("factura_pagar")
            #expect(chat.replies.contains(.link(url: "http://127.0.0.1:8080/factura/10234567", title: "Pagar en Factura Web")))

            let start = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": try await web.paymentKey(contract: "10234567", invoice: bill.invoiceNumber)])
            _ = try await web.post(String(start.location.dropFirst()), ["banco": "Bancolombia", "decision": "aprobar"])
            try await chat.say("cuánto debo")
            #expect(chat.text.contains("ya está pagada"))
            #expect(chat.text.contains("tu saldo es $ 0"))
        }
    }

    @Test("Twenty confirmations of one transaction at once (webhook, return page, job racing) credit the bill once")
    func concurrentSettlement() async throws {
        try await withEmaApp { app in
            let bill = try await latestBill(app)
            let service = PaymentService(database: app.db, gateway: SandboxGateway(), logger: app.logger)
            let payment = try await service.start(invoice: bill, idempotencyKey: String(repeating: "d", count: 32), now: Date())
            let transaction = GatewayTransaction(id: "sbx-1", reference: payment.reference, amountInCents: bill.amountCOP * 100, currency: "COP", status: .approved, method: "PSE")
            let outcomes = try await withThrowingTaskGroup(of: PaymentService.Settlement.self) { group in
                for _ in 0..<20 { group.addTask { try await service.settle(transaction, now: Date()) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .settled(.approved) }.count == 1)
            #expect(outcomes.filter { $0 == .unchanged(.approved) }.count == 19)
            #expect(try await reload(bill, app).paidCOP == bill.amountCOP)
        }
    }

    @Test("A bill of another contract, a missing or malformed attempt key, and a cross-site form are refused")
    func badPayForms() async throws {
        try await withEmaApp { app in
            let bill = try await latestBill(app)
            let web = FacturaWebClient(tester: try app.testing())
            let key = String(repeating: "c", count: 32)
            #expect(try await web.post("factura/20345678/pagar", ["factura": bill.invoiceNumber, "intento": key]).status == .notFound)
            let keyless = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber])
            #expect(keyless.status == .badRequest)
            #expect(keyless.body.contains("Recarga la página"))
            #expect(try await web.post("factura/10234567/pagar", ["intento": key]).status == .notFound)
            let short = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": "corta"])
            #expect(short.status == .badRequest)
            #expect(short.body.contains("Recarga la página"))
            let forged = try await web.post("factura/10234567/pagar", ["factura": bill.invoiceNumber, "intento": key], headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(forged.status == .forbidden)
            #expect(forged.body.contains("llegó desde otro sitio"))
            #expect(try await Payment.query(on: app.db).count() == 0)
        }
    }

    @Test("«Pagar todo»: one attempt for every open bill, a double submit is the same one, approval pays each bill its balance once")
    func payAll() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            let bills = try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).sort(\.$period).all()
            #expect(bills.count >= 2)
            for bill in bills { bill.paidCOP = 0; bill.paidAt = nil; try await bill.save(on: app.db) }
            // The oldest in part: «todo» is what is left of each.
            bills[0].paidCOP = 1_000; try await bills[0].save(on: app.db)
            let total = bills.reduce(0) { $0 + $1.amountCOP } - 1_000
            let web = FacturaWebClient(tester: try app.testing())
            let page = try await web.get("factura/10234567").body
            let form = try #require(page.range(of: #"id="pagar-todo""#))
            let keyField = try #require(page[form.upperBound...].range(of: #"name="intento" value=""#))
            let key = String(page[keyField.upperBound...].prefix { $0 != "\"" })
            let first = try await web.post("factura/10234567/pagar", ["factura": "todas", "intento": key])
            let second = try await web.post("factura/10234567/pagar", ["factura": "todas", "intento": key])
            #expect(first.status == .seeOther && first.location.hasPrefix("/pagos/sandbox/EMA") && second.location == first.location)
            let payment = try #require(try await Payment.query(on: app.db).first())
            #expect(try await Payment.query(on: app.db).count() == 1 && payment.amountCOP == total)
            #expect(try await PaymentItems.of(payment.requireID(), on: app.db).map(\.amountCOP) == [bills[0].amountCOP - 1_000] + bills.dropFirst().map(\.amountCOP))
            let approved = try await web.post(String(first.location.dropFirst()), ["banco": "Nequi", "decision": "aprobar"])
            _ = try await web.post(String(first.location.dropFirst()), ["banco": "Nequi", "decision": "aprobar"])
            for bill in bills { #expect(try await reload(bill, app).paidCOP == bill.amountCOP, "\(bill.period)") }
            let result = try await web.get(String(approved.location.dropFirst())).body
            #expect(result.contains("aplicado a tus \(bills.count) facturas") && result.contains("Facturas de"))
            let receipt = try await web.get("factura/pago/\(payment.reference)/comprobante.pdf").body
            #expect(receipt.components(separatedBy: "Referencia de pago").count - 1 == bills.count && receipt.contains(Money.format(cop: total)))
            // Nothing left to pay: «todo» says so, and the page offers no «Pagar todo».
            let again = try await web.post("factura/10234567/pagar", ["factura": "todas", "intento": String(repeating: "c", count: 32)])
            #expect(again.status == .conflict && again.body.contains("ya están pagadas"))
            #expect(!(try await web.get("factura/10234567").body.contains(#"id="pagar-todo""#)))
        }
    }
}
