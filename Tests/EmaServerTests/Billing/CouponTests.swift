@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Payment coupons and partial payments")
struct CouponTests {
    /// Contract 10234567 with its bills unpaid, oldest first.
    func unpaid(_ app: Application) async throws -> [Invoice] {
        _ = try await DemoData.load(into: app)
        let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
        let bills = try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).sort(\.$period).all()
        for bill in bills { bill.paidCOP = 0; bill.paidAt = nil; try await bill.save(on: app.db) }
        return bills
    }

    func reload(_ bills: [Invoice], _ app: Application) async throws -> [Invoice] {
        try await Invoice.query(on: app.db).filter(\.$id ~~ bills.map { try $0.requireID() }).sort(\.$period).all()
    }

    /// The coupon form's key on the contract page.
    func couponKey(_ web: FacturaWebClient) async throws -> String {
        let page = try await web.get("factura/10234567").body
        let form = try #require(page.range(of: #"id="cupon""#))
        let field = try #require(page[form.upperBound...].range(of: #"name="intento" value=""#))
        return String(page[field.upperBound...].prefix { $0 != "\"" })
    }

    /// Makes a coupon on the page and returns its reference.
    func makeCoupon(_ web: FacturaWebClient, _ value: String) async throws -> String {
        let made = try await web.post("factura/10234567/cupon", ["valor": value, "intento": try await couponKey(web)])
        #expect(made.status == .seeOther && made.location.hasPrefix("/factura/cupon/"), "\(made.status) \(made.body.prefix(300))")
        return String(made.location.dropFirst("/factura/cupon/".count))
    }

    /// Pays a coupon in the sandbox; returns the attempt's reference.
    func payCoupon(_ web: FacturaWebClient, _ reference: String, approve: Bool = true) async throws -> String {
        let page = try await web.get("factura/cupon/\(reference)").body
        let field = try #require(page.range(of: #"name="intento" value=""#))
        let key = String(page[field.upperBound...].prefix { $0 != "\"" })
        let started = try await web.post("factura/cupon/\(reference)/pagar", ["intento": key])
        #expect(started.status == .seeOther && started.location.hasPrefix("/pagos/sandbox/EMA"))
        _ = try await web.post(String(started.location.dropFirst()), ["banco": "Nequi", "decision": approve ? "aprobar" : "rechazar"])
        return String(started.location.split(separator: "/").last ?? "")
    }

    @Test("The page offers a coupon for the whole balance; amounts below the minimum, above the balance or unreadable are refused beside the field")
    func badAmounts() async throws {
        try await withEmaApp { app in
            let bills = try await unpaid(app)
            let balance = bills.reduce(0) { $0 + $1.amountCOP }
            let web = FacturaWebClient(tester: try app.testing())
            let page = try await web.get("factura/10234567").body
            #expect(page.contains("Cupón de pago o abono") && page.contains(#"value="\#(SpanishNumber.integer(Int(balance)))""#))
            #expect(page.contains("Tu saldo es \(Money.format(cop: balance)). Puedes pagar desde $ 10.000 hasta tu saldo"))
            let key = try await couponKey(web)
            for (value, message) in [
                ("9.999", "El valor mínimo de un abono es $ 10.000"),
                (String(balance + 1), "El valor no puede ser mayor que tu saldo, \(Money.format(cop: balance))"),
                ("cincuenta", "Escribe el valor en pesos"),
                ("12,5", "Escribe el valor en pesos"),
            ] {
                let refused = try await web.post("factura/10234567/cupon", ["valor": value, "intento": key])
                #expect(refused.status == .badRequest, "\(value)")
                #expect(refused.body.contains(#"<p class="field-error" id="valor-error">\#(message)"#), "\(value)")
                #expect(refused.body.contains(#"aria-invalid="true""#) && refused.body.contains(#"value="\#(value)""#), "\(value)")
            }
            #expect(try await PaymentCoupon.query(on: app.db).count() == 0)
            let unknown = try await web.post("factura/99999999/cupon", ["valor": "20000", "intento": key])
            #expect(unknown.status == .notFound)
            let noKey = try await web.post("factura/10234567/cupon", ["valor": "20000"])
            #expect(noKey.status == .badRequest && noKey.body.contains("Recarga la página"))
            #expect(try await PaymentCoupon.query(on: app.db).count() == 0)
        }
    }

    @Test("A coupon for part of the balance: one per double submit, its page and PDF carry a GS1-128 barcode that reads back to GLN, reference, amount and date")
    func couponAndBarcode() async throws {
        let manual = AppClock.Manual(Date(timeIntervalSince1970: 1_796_914_800)) // 2026-12-10 10:00 Bogotá
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            let key = try await couponKey(web)
            let first = try await web.post("factura/10234567/cupon", ["valor": "$ 50.000", "intento": key])
            let second = try await web.post("factura/10234567/cupon", ["valor": "$ 50.000", "intento": key])
            #expect(first.status == .seeOther && second.location == first.location)
            let coupon = try #require(try await PaymentCoupon.query(on: app.db).first())
            #expect(try await PaymentCoupon.query(on: app.db).count() == 1)
            #expect(coupon.amountCOP == 50_000 && coupon.validUntil == "2026-12-19" && coupon.channel == "factura_web")
            #expect(coupon.reference.count == 20 && coupon.reference.hasPrefix("000010234567"))

            let page = try await web.get("factura/cupon/\(coupon.reference)").body
            #expect(page.contains("$ 50.000") && page.contains("19 de diciembre de 2026") && page.contains("Abono (una parte del saldo)"))
            #expect(page.contains("Ma*** Fe***") && !page.contains("Restrepo") && page.contains("Pagar $ 50.000 en línea"))
            // The bars on the page, read back as a scanner would: bar and space widths in modules.
            var widths: [Int] = []
            var edge = 10
            for match in page.matches(of: /<rect x="(\d+)" y="4" width="(\d+)"/) {
                let (x, width) = (Int(match.1)!, Int(match.2)!)
                if !widths.isEmpty { widths.append(x - edge) }
                widths.append(width)
                edge = x + width
            }
            let read = try GS1128.decode(widths: widths)
            #expect(read == [GS1128.Element("415", "7707181000005"), GS1128.Element("8020", coupon.reference),
                             GS1128.Element("3900", "0000050000"), GS1128.Element("96", "20261219")])
            #expect(page.contains("(415)7707181000005(8020)\(coupon.reference)(3900)0000050000(96)20261219"))

            let pdf = try await web.get("factura/cupon/\(coupon.reference)/cupon.pdf")
            #expect(pdf.status == .ok && pdf.body.hasPrefix("%PDF"))
            #expect(pdf.body.contains(#"\(8020\)\#(coupon.reference)"#) && pdf.body.contains("Abono") && !pdf.body.contains("Restrepo"))
            #expect(try await web.get("factura/cupon/00001023456799999999").status == .notFound)
            #expect(try await web.get("factura/cupon/abc").status == .notFound)
        }
    }

    @Test("Paying a coupon online credits the open bills oldest first; a bill is paid only when its balance reaches 0; the coupon is paid once")
    func partialPayment() async throws {
        try await withEmaApp { app in
            let bills = try await unpaid(app)
            #expect(bills.count >= 2)
            let web = FacturaWebClient(tester: try app.testing())
            // Less than the oldest bill: it stays open, with a smaller balance.
            let part = try await makeCoupon(web, "20000")
            let attempt = try await payCoupon(web, part)
            var now = try await reload(bills, app)
            #expect(now[0].paidCOP == 20_000 && now[0].paidAt == nil && now.dropFirst().allSatisfy { $0.paidCOP == 0 })
            let result = try await web.get("factura/pago/\(attempt)").body
            #expect(result.contains("aplicado a tu saldo") && result.contains(#"id="referencia">\#(part)<"#))
            let receipt = try await web.get("factura/pago/\(attempt)/comprobante.pdf").body
            #expect(receipt.contains(part) && receipt.contains("$ 20.000"))
            let paidPage = try await web.get("factura/cupon/\(part)").body
            #expect(paidPage.contains("badge pagado") && !paidPage.contains("en línea</button>"))
            let again = try await web.post("factura/cupon/\(part)/pagar", ["intento": String(repeating: "d", count: 32)])
            #expect(again.status == .conflict && again.body.contains("ya está pagado"))

            // More than the oldest bill's balance: it is paid, the next one gets the rest.
            let rest = now[0].amountCOP - 20_000
            let over = try await makeCoupon(web, String(rest + 5_000))
            _ = try await payCoupon(web, over)
            now = try await reload(bills, app)
            #expect(now[0].paidCOP == now[0].amountCOP && now[0].paidAt != nil)
            #expect(now[1].paidCOP == 5_000 && now[1].paidAt == nil)
            let items = try await PaymentItems.of(try #require(try await Payment.query(on: app.db).filter(\.$couponID != nil).sort(\.$createdAt, .descending).first()).requireID(), on: app.db)
            #expect(items.map(\.amountCOP) == [rest, 5_000])
            // A declined coupon payment applies nothing and the coupon stays payable.
            let declined = try await makeCoupon(web, "10000")
            _ = try await payCoupon(web, declined, approve: false)
            #expect(try await reload(bills, app)[1].paidCOP == 5_000)
            #expect(try await web.get("factura/cupon/\(declined)").body.contains("badge vigente"))
        }
    }

    @Test("A coupon worth more than what is owed now, an expired one, and one approved after the bills were paid: refused, or never lost")
    func staleAndExpired() async throws {
        let manual = AppClock.Manual(Date(timeIntervalSince1970: 1_796_914_800))
        try await withEmaApp(clock: manual.clock) { app in
            let bills = try await unpaid(app)
            let total = bills.reduce(0) { $0 + $1.amountCOP }
            let web = FacturaWebClient(tester: try app.testing())
            let whole = try await makeCoupon(web, String(total))
            // Its attempt starts, then the bills are paid another way; the bank approves it later.
            let page = try await web.get("factura/cupon/\(whole)").body
            let field = try #require(page.range(of: #"name="intento" value=""#))
            let started = try await web.post("factura/cupon/\(whole)/pagar", ["intento": String(page[field.upperBound...].prefix { $0 != "\"" })])
            let stale = try await makeCoupon(web, "30000")
            for bill in bills { bill.paidCOP = bill.amountCOP; try await bill.save(on: app.db) }
            let refused = try await web.post("factura/cupon/\(stale)/pagar", ["intento": String(repeating: "e", count: 32)])
            #expect(refused.status == .conflict && refused.body.contains("ya está pagada"))
            _ = try await web.post(String(started.location.dropFirst()), ["banco": "Nequi", "decision": "aprobar"])
            let after = try await reload(bills, app)
            #expect(after.reduce(0) { $0 + $1.paidCOP } == 2 * total, "the money received is credited, never dropped")

            // Partly paid: a coupon for more than the new balance is stale.
            for bill in bills { bill.paidCOP = 0; bill.paidAt = nil; try await bill.save(on: app.db) }
            let big = try await makeCoupon(web, String(total))
            bills[0].paidCOP = 15_000; try await bills[0].save(on: app.db)
            let staleNow = try await web.post("factura/cupon/\(big)/pagar", ["intento": String(repeating: "f", count: 32)])
            #expect(staleNow.status == .conflict && staleNow.body.contains("Tu saldo cambió desde que generaste este cupón"))

            // Ten days later the coupon made today has expired.
            let small = try await makeCoupon(web, "10000")
            manual.advance(by: 10 * 86_400)
            let expired = try await web.get("factura/cupon/\(small)").body
            #expect(expired.contains("badge vencido") && expired.contains("Genera uno nuevo") && !expired.contains("en línea</button>"))
            let late = try await web.post("factura/cupon/\(small)/pagar", ["intento": String(repeating: "g", count: 32)])
            #expect(late.status == .conflict && late.body.contains("ya venció"))
        }
    }

    @Test("Without coupon rules no form is offered and a posted one is «no disponible»; twenty coupons a day per contract")
    func unavailableAndLimited() async throws {
        try await withEmaApp { app in
            _ = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            for number in 1...20 {
                let made = try await web.post("factura/10234567/cupon", ["valor": "10000", "intento": String(format: "%032d", number)])
                #expect(made.status == .seeOther, "\(number)")
            }
            let over = try await web.post("factura/10234567/cupon", ["valor": "10000", "intento": String(repeating: "9", count: 32)])
            #expect(over.status == .tooManyRequests)
            #expect(try await PaymentCoupon.query(on: app.db).count() == 20)

            app.utilityProfile?.coupons = nil
            #expect(!(try await web.get("factura/10234567").body.contains(#"id="cupon""#)))
            let closed = try await web.post("factura/10234567/cupon", ["valor": "10000", "intento": String(repeating: "8", count: 32)])
            #expect(closed.status == .serviceUnavailable && closed.body.contains("no están disponibles"))
            let reference = try #require(try await PaymentCoupon.query(on: app.db).first()).reference
            #expect(try await web.get("factura/cupon/\(reference)").status == .serviceUnavailable)
        }
    }

    @Test("At the kiosk, Ema makes the coupon in the database: its PDF and page open, and the channel is kept for the indicators")
    func kioskChat() async throws {
        try await withEmaApp { app in
            _ = try await unpaid(app)
            let chat = LiveChatTests()
            let (session, _) = try await app.chatService().start(channel: .kiosk)
            _ = try await chat.post(app, session, ["choice": "consentimiento_si"])
            _ = try await chat.post(app, session, ["text": "quiero hacer un abono a mi factura"])
            _ = try await chat.post(app, session, ["text": "10234567"])
            let answer = try await chat.post(app, session, ["text": "$ 20.000"])
            let coupon = try #require(try await PaymentCoupon.query(on: app.db).first())
            #expect(coupon.amountCOP == 20_000 && coupon.channel == "kiosk")
            let documents = answer.replies.compactMap { if case .document(let url, _, _) = $0 { url } else { nil } }
            #expect(documents == ["\(app.emaConfig.publicURL)/factura/cupon/\(coupon.reference)/cupon.pdf"])
            let web = FacturaWebClient(tester: try app.testing())
            #expect(try await web.get("factura/cupon/\(coupon.reference)/cupon.pdf").body.hasPrefix("%PDF"))
            // Another coupon of the same contract: the amount is asked again, the contract is known.
            let again = try await chat.post(app, session, ["choice": "factura_cupon"])
            #expect("\(again.replies)".contains("¿Cuánto quieres pagar?"))
        }
    }

    @Test("Making coupons cannot walk the contract numbers: it counts as a lookup, with the same limit per address")
    func noWalking() async throws {
        try await withEmaApp { app in
            _ = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            for number in 0..<60 {
                let answer = try await web.post("factura/\(70_000_000 + number)/cupon", ["valor": "20000", "intento": String(repeating: "a", count: 32)])
                #expect(answer.status == .notFound, "\(number)")
            }
            let over = try await web.post("factura/10234567/cupon", ["valor": "20000", "intento": String(repeating: "b", count: 32)])
            #expect(over.status == .tooManyRequests && over.body.contains("minuto"))
            #expect(try await PaymentCoupon.query(on: app.db).count() == 0)
        }
    }
}
