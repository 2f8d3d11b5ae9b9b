@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("The bill as a PDF, behind unguessable expiring links")
struct BillDocumentTests {
    func demoInvoice(_ app: Application) async throws -> Invoice {
        try await demoLatestBill(app)
    }

    @Test("A link opens the bill: contract, holder, masked address, amount and payment reference")
    func opens() async throws {
        try await withEmaApp { app in
            let invoice = try await demoInvoice(app)
            let token = try await BillLinks(database: app.db, clock: app.clock).token(for: invoice.requireID(), masked: false)
            #expect(token.count >= 50)
            try await app.testing().test(.GET, "facturas/\(token).pdf") { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType == "pdf")
                let bytes = Array(Data(buffer: response.body))
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(text.hasPrefix("%PDF-1.4"))
                #expect(text.contains("10234567"))
                #expect(text.contains("CL 50 # 45-**"))
                #expect(!text.contains("AP 301"))
                #expect(text.contains(Money.format(cop: invoice.amountCOP)))
                #expect(text.contains(BillDocument.paymentReference(contractNumber: "10234567", period: invoice.period)))
                // The holder's name in WinAnsi ("María" with á as one byte): whole, in the link
                // sent to the enrolled number.
                #expect(bytes.contains(0xED) || bytes.contains(0xE1))
                #expect(text.contains("Restrepo"))
                #expect(!text.contains("PAGADA"))
            }
        }
    }

    @Test("The PDF linked from Factura Web, which only needs a contract number, shows the holder masked")
    func maskedFromFacturaWeb() async throws {
        try await withEmaApp { app in
            _ = try await demoInvoice(app)
            let page = try await FacturaWebClient(tester: try app.testing()).get("factura/10234567").body
            let link = try #require(page.range(of: "/facturas/[A-Za-z0-9_-]+\\.pdf", options: .regularExpression).map { String(page[$0]) })
            try await app.testing().test(.GET, String(link.dropFirst())) { response in
                #expect(response.status == .ok)
                let text = String(decoding: Array(Data(buffer: response.body)), as: UTF8.self)
                #expect(text.contains("10234567"))
                #expect(text.contains("Re*** G"), "the masked name")
                #expect(!text.contains("Restrepo") && !text.contains("Fernanda"))
            }
        }
    }

    @Test("A paid bill says so on the PDF, with the date it was paid")
    func paidStamp() async throws {
        try await withEmaApp { app in
            let invoice = try await demoInvoice(app)
            invoice.paidCOP = invoice.amountCOP
            invoice.paidAt = Date(timeIntervalSince1970: 1_795_000_000)
            try await invoice.save(on: app.db)
            let token = try await BillLinks(database: app.db, clock: app.clock).token(for: invoice.requireID(), masked: false)
            var text = ""
            try await app.testing().test(.GET, "facturas/\(token).pdf") { response in
                text = String(decoding: Array(Data(buffer: response.body)), as: UTF8.self)
            }
            #expect(text.contains("PAGADA el \(CivilDate(bogotaAt: 1_795_000_000).displayName)"))
        }
    }

    @Test("A forged, damaged or expired link shows a kind Spanish page, not the bill")
    func refused() async throws {
        let manual = AppClock.Manual(Date())
        try await withEmaApp(clock: manual.clock) { app in
            let invoice = try await demoInvoice(app)
            let links = BillLinks(database: app.db, clock: app.clock)
            let token = try await links.token(for: invoice.requireID(), masked: false, lifetime: 3_600)
            var damaged = Array(token)
            damaged[10] = damaged[10] == "A" ? "B" : "A"
            for bad in [String(damaged), "nada", token + "x", String(repeating: "A", count: 54)] {
                try await app.testing().test(.GET, "facturas/\(bad).pdf") { response in
                    #expect(response.status == .notFound)
                    #expect(response.body.string.contains("no es válido o ya venció"))
                }
            }
            manual.advance(by: 3_601)
            try await app.testing().test(.GET, "facturas/\(token).pdf") { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("Every node checks links with the same key")
    func sharedKey() async throws {
        try await withEmaApp { app in
            let invoice = try await demoInvoice(app)
            let token = try await BillLinks(database: app.db, clock: app.clock).token(for: invoice.requireID(), masked: true)
            try await withSecondNode(of: app) { other in
                let target = try await BillLinks(database: other.db, clock: other.clock).target(of: token)
                #expect(target == .init(invoiceID: try invoice.requireID(), masked: true))
            }
        }
    }
}

@Suite("Billing error codes")
struct BillingErrorTests {
    @Test("Every billing error has its own stable snake_case code and a Spanish reason", arguments: [
        (BillingError.contractNotFound("1"), "contract_not_found"), (.phoneNotFound, "phone_not_found"),
        (.billLinkInvalid, "bill_link_invalid"), (.invalidPeriod, "invalid_period"),
    ])
    func codes(error: BillingError, code: String) {
        #expect(error.code == code)
        #expect(error.reason != error.code)
        #expect(!error.reason.isEmpty)
    }
}
