@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Self-service transactions in the indicators, by type and channel")
struct SelfServiceIndicatorTests {
    @Test("Coupons, PIN consultations, enrollments, certificates and billing requests are counted by channel; the page and the CSV show them")
    func counted() async throws {
        let clock = AppClock.Manual(bogota(10, 0, on: "2026-11-20"))
        try await withEmaApp(clock: clock.clock) { app in
            _ = try await DemoData.load(into: app)
            let whatsApp = app.assistantEffects(client: "+573005550123")
            let web = app.assistantEffects(client: "10.0.0.7")
            guard case .made = try await whatsApp.makeCoupon(contractNumber: "10234567", amountCOP: nil, channel: "whatsapp") else {
                Issue.record("no coupon on WhatsApp")
                return
            }
            guard case .made = try await web.makeCoupon(contractNumber: "10234567", amountCOP: nil, channel: "web") else {
                Issue.record("no coupon on the web")
                return
            }
            #expect(try await whatsApp.prepaidRecharges(phone: "+573005550123").isEmpty == false)
            _ = try await EnrollmentService(database: app.db, clock: app.clock)
                .enroll(EnrollmentRequest(phone: "+573005550123", contractNumber: "10234567", holderName: "María Restrepo", channel: .whatsapp))
            _ = try await Certificates.issue(kind: "prepago", title: "Certificado", lines: [], now: app.clock.now(), on: app.db)
            var draft = CaseDraft(type: .peticion, channel: .pqrWeb, description: "Solicito separar el gas de mi contrato en otra factura.")
            draft.contractNumber = "10234567"
            draft.name = "María Restrepo"
            draft.request = try ServiceRequest.separation([.gas], contractServices: [.energia, .agua, .alcantarillado, .gas])
            _ = try await app.caseService().file(draft)
            // Next month's: not November's.
            clock.advance(by: 15 * 86_400)
            _ = try await Certificates.issue(kind: "prepago", title: "Certificado", lines: [], now: app.clock.now(), on: app.db)

            let november = try await app.indicatorService().month(BillingPeriod("2026-11")!)
            let table = SelfServiceTransaction.table(november.transactions)
            #expect(table[.cupon] == ["whatsapp": 1, "web": 1])
            #expect(table[.consultaPin] == ["whatsapp": 1])
            #expect(table[.inscripcionFactura] == ["whatsapp": 1])
            #expect(table[.certificado] == ["sitio_web": 1])
            #expect(table[.separacionCuentas] == ["sitio_web": 1])
            #expect(table[.pagoEnLinea] == nil && table[.aporteVoluntario] == nil)

            var page = ""
            try await app.testing().test(.GET, "indicadores?mes=2026-11") { page = $0.body.string }
            #expect(page.contains("id=\"autogestion-total\">6<"))
            #expect(page.contains("<th scope=\"row\">Cupones de pago y abonos</th><td>1</td><td>1</td><td>0</td><td>0</td><td>2</td>"))
            #expect(page.contains("Cupones de pago y abonos<br><small class=\"muted\">WhatsApp: 1 · Ema en la web: 1</small></span> <strong>2</strong>"))
            var csv = ""
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-11") { csv = $0.body.string }
            #expect(csv.contains("2026-11,autogestion_cupon,canal:whatsapp,1,tramites,1\r\n"))
            #expect(csv.contains("2026-11,autogestion_separacion_cuentas,canal:sitio_web,1,tramites,1\r\n"))
        }
    }
}
