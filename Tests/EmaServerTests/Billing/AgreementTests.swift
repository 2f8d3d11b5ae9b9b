@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Payment agreements: simulate, accept with a code, activate with the down payment, bill, cancel")
struct AgreementTests {
    /// 11 December 2026, 10:00 in Bogotá: the demo's October and November bills are overdue.
    static let start = Date(timeIntervalSince1970: 1_796_914_800)

    /// Contract 10234567 with its three bills unpaid (728.800, of which 434.100 overdue).
    func unpaid(_ app: Application) async throws -> [Invoice] {
        try await CouponTests().unpaid(app)
    }

    func code(_ app: Application) async throws -> String {
        try await drainJobs(app)
        let message = try #require(try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").sort(\.$createdAt, .descending).first())
        return String(try #require(message.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))
    }

    /// The holder asks for the code and accepts the plan of `instalments`; returns the answer.
    func accept(_ app: Application, _ web: FacturaWebClient, instalments: Int = 3, name: String = "maría restrepo") async throws -> FacturaWebClient.Answer {
        let asked = try await web.post("factura/10234567/acuerdo/codigo", ["cuotas": String(instalments), "nombre": name, "celular": "300 123 4567"])
        #expect(asked.status == .ok && asked.body.contains("Te enviamos un código de 6 dígitos al <strong>300 123 4567</strong>"))
        return try await web.post("factura/10234567/acuerdo/aceptar", [
            "cuotas": String(instalments), "nombre": name, "celular": "+573001234567", "codigo": try await code(app), "acepto": "si",
        ])
    }

    @Test("The page simulates each plan with its table; a wrong name, a wrong code or no «Acepto» make nothing; the holder's acceptance keeps its proof")
    func acceptWithProof() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            let page = try await web.get("factura/10234567/acuerdo?cuotas=3").body
            #expect(page.contains(#"id="deuda">$ 728.800"#) && page.contains("$ 434.100"))
            #expect(page.contains(#"<option value="3" selected>3 cuotas de $ 200.206</option>"#) && page.contains("12 cuotas de"))
            #expect(page.contains(#"id="cuota-inicial">$ 145.760"#) && page.contains("<td>3</td><td>$ 200.207</td><td>$ 2.959</td><td>$ 197.248</td><td>$ 0</td>"))
            #expect(page.contains("Ma*** Fe*** Re*** Gó***") && !page.contains("Restrepo"))
            // Factura Web points an overdue contract to the plans.
            #expect(try await web.get("factura/10234567").body.contains(#"href="/factura/10234567/acuerdo""#))

            let stranger = try await web.post("factura/10234567/acuerdo/codigo", ["cuotas": "3", "nombre": "Juan Pérez", "celular": "3001234567"])
            #expect(stranger.status == .badRequest && stranger.body.contains(#"id="nombre-error">Escribe el nombre completo del titular"#))
            #expect(try await SandboxMessage.query(on: app.db).count() == 0, "no code for a name that is not the holder's")
            let badPhone = try await web.post("factura/10234567/acuerdo/codigo", ["cuotas": "3", "nombre": "Maria Restrepo", "celular": "12345"])
            #expect(badPhone.status == .badRequest && badPhone.body.contains(#"id="celular-error""#))

            _ = try await web.post("factura/10234567/acuerdo/codigo", ["cuotas": "3", "nombre": "Maria Restrepo", "celular": "3001234567"])
            let real = try await code(app)
            let wrong = try await web.post("factura/10234567/acuerdo/aceptar", ["cuotas": "3", "nombre": "Maria Restrepo", "celular": "+573001234567", "codigo": real == "111111" ? "222222" : "111111", "acepto": "si"])
            #expect(wrong.status == .badRequest && wrong.body.contains(#"id="codigo-error""#) && wrong.body.contains("te quedan 4 intentos"))
            let unticked = try await web.post("factura/10234567/acuerdo/aceptar", ["cuotas": "3", "nombre": "Maria Restrepo", "celular": "+573001234567", "codigo": real])
            #expect(unticked.status == .badRequest && unticked.body.contains("marca «Acepto»"))
            #expect(try await PaymentAgreement.query(on: app.db).count() == 0)

            let accepted = try await web.post("factura/10234567/acuerdo/aceptar", ["cuotas": "3", "nombre": "Maria Restrepo", "celular": "+573001234567", "codigo": real, "acepto": "si"])
            #expect(accepted.status == .seeOther && accepted.location.hasPrefix("/factura/acuerdo/"))
            let agreement = try #require(try await PaymentAgreement.query(on: app.db).first())
            #expect(agreement.number == "AP-2026-0000001" && agreement.status == "pendiente" && agreement.instalments == 3)
            #expect(agreement.balanceCOP == 728_800 && agreement.downPaymentCOP == 145_760 && agreement.instalmentCOP == 200_206)
            #expect(agreement.acceptedName == "Maria Restrepo" && agreement.acceptedPhone == "+573001234567" && agreement.acceptedChannel == "factura_web")
            let plan = try #require(agreement.decodedPlan)
            #expect(agreement.acceptedDigest == Hex.sha256(AgreementService.terms(plan, contract: "10234567")))
            let coupon = try #require(try await PaymentCoupon.find(try #require(agreement.couponID), on: app.db))
            #expect(coupon.amountCOP == 145_760)
            let status = try await web.get(String(accepted.location.dropFirst())).body
            #expect(status.contains("Pendiente de la cuota inicial") && status.contains("/factura/cupon/\(coupon.reference)"))
            #expect(try await web.get("factura/cupon/\(coupon.reference)").body.contains("Cuota inicial del acuerdo de pago AP-2026-0000001"))
            // One agreement in force: a second one is refused, and the bills page names the first.
            let again = try await web.get("factura/10234567/acuerdo").body
            #expect(again.contains("ya tiene un acuerdo de pago en curso (N.º AP-2026-0000001)"))
            #expect(try await web.get("factura/10234567").body.contains("Acuerdo de pago AP-2026-0000001: pendiente de la cuota inicial."))
        }
    }

    @Test("Paying the down payment activates the agreement in the same transaction; the bills show it financed; the export bills each instalment in its month")
    func activateAndExport() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            let bills = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            let accepted = try await accept(app, web)
            let agreement = try #require(try await PaymentAgreement.query(on: app.db).first())
            let coupon = try #require(try await PaymentCoupon.find(try #require(agreement.couponID), on: app.db))
            _ = try await CouponTests().payCoupon(web, coupon.reference)

            let active = try #require(try await PaymentAgreement.find(agreement.requireID(), on: app.db))
            #expect(active.status == "activo" && active.firstPeriod == "2027-01" && active.activatedAt != nil)
            let now = try await CouponTests().reload(bills, app)
            // The down payment paid the October bill and part of November; the rest is financed.
            #expect(now.reduce(0) { $0 + $1.paidCOP } == 145_760 && now.reduce(0) { $0 + $1.financedCOP } == 583_040)
            #expect(now[0].paidCOP == 145_760 && now[0].financedCOP == 45_440 && now[1].financedCOP == 242_900 && now[2].financedCOP == 294_700)
            let page = try await web.get("factura/10234567").body
            #expect(page.components(separatedBy: "En acuerdo de pago").count - 1 == 3 && !page.contains(#"id="cupon""#))
            #expect(try await web.get(String(accepted.location.dropFirst())).body.contains("La primera cuota llega en tu factura de enero de 2027"))

            let january = try await AgreementExportCommand.csv(period: BillingPeriod("2027-01")!, on: app.db)
            #expect(january.count == 1)
            #expect(january.text == "acuerdo,contrato,cuota,cuotas,periodo,valor_cop,capital_cop,interes_cop,saldo_despues_cop\r\nAP-2026-0000001,10234567,1,3,2027-01,200206,191460,8746,391580\r\n")
            #expect(try await AgreementExportCommand.csv(period: BillingPeriod("2027-03")!, on: app.db).text.contains(",3,3,2027-03,200207,197248,2959,0"))
            #expect(try await AgreementExportCommand.csv(period: BillingPeriod("2027-04")!, on: app.db).count == 0)
            #expect(try await AgreementExportCommand.csv(period: BillingPeriod("2026-12")!, on: app.db).count == 0)
        }
    }

    @Test("An agent cancels with a reason: the financed debt is back on the bills, the export stops, the audit keeps who and why")
    func cancelInBackOffice() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let bills = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            _ = try await accept(app, web)
            let agreement = try #require(try await PaymentAgreement.query(on: app.db).first())
            _ = try await CouponTests().payCoupon(web, try #require(try await PaymentCoupon.find(try #require(agreement.couponID), on: app.db)).reference)

            let office = try OfficeBrowser(app)
            #expect(try await office.get("backoffice/acuerdos").location.hasPrefix("/backoffice/ingresar"))
            try await office.signIn("agente@ema.demo", "agente-demo-2026")
            let list = try await office.get("backoffice/acuerdos?estado=activo").body
            #expect(list.contains("AP-2026-0000001") && list.contains("$ 145.760 + 3 × $ 200.206"))
            #expect(!(try await office.get("backoffice/acuerdos?estado=cancelado").body.contains("AP-2026-0000001")))
            let detail = try await office.get("backoffice/acuerdos/AP-2026-0000001").body
            #expect(detail.contains("María Fernanda Restrepo Gómez") && detail.contains("maría restrepo · 300 123 4567 · código SMS verificado"))
            let noReason = try await office.post("backoffice/acuerdos/AP-2026-0000001/cancelar", ["csrf": office.csrf, "motivo": " "])
            #expect(noReason.status == .badRequest)
            let forged = try await office.post("backoffice/acuerdos/AP-2026-0000001/cancelar", ["motivo": "Sin token de formulario"])
            #expect(forged.status == .forbidden)
            let cancelled = try await office.post("backoffice/acuerdos/AP-2026-0000001/cancelar", ["csrf": office.csrf, "motivo": "No pagó la primera cuota"])
            #expect(cancelled.status == .ok && cancelled.body.contains("Acuerdo cancelado"))
            let row = try #require(try await PaymentAgreement.query(on: app.db).first())
            #expect(row.status == "cancelado" && row.cancelledBy == "agente@ema.demo" && row.cancelReason == "No pagó la primera cuota")
            let now = try await CouponTests().reload(bills, app)
            #expect(now.allSatisfy { $0.financedCOP == 0 } && now.reduce(0) { $0 + $1.balanceCOP } == 728_800 - 145_760)
            #expect(try await AgreementExportCommand.csv(period: BillingPeriod("2027-01")!, on: app.db).count == 0)
            let audit = try #require(try await StaffAuditEntry.query(on: app.db).filter(\.$action == "acuerdo_cancelado").first())
            #expect(audit.email == "agente@ema.demo" && audit.subject == "AP-2026-0000001")
            let twice = try await office.post("backoffice/acuerdos/AP-2026-0000001/cancelar", ["csrf": office.csrf, "motivo": "Otra vez"])
            #expect(twice.body.contains("ya no estaba en curso"))
            #expect(try await web.get("factura/10234567/acuerdo").body.contains("Tu plan"), "a new agreement may be made")
        }
    }

    @Test("A down payment not paid in time lets the agreement lapse; a contract with nothing overdue, or too little, is told why")
    func lapsedAndIneligible() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            let bills = try await unpaid(app)
            let web = FacturaWebClient(tester: try app.testing())
            let accepted = try await accept(app, web)
            manual.advance(by: 10 * 86_400)
            #expect(try await web.get(String(accepted.location.dropFirst())).body.contains("la cuota inicial no se pagó a tiempo"))
            #expect(try await web.get("factura/10234567/acuerdo").body.contains("Tu plan"))
            manual.advance(by: 60)
            let second = try await accept(app, web, instalments: 6)
            #expect(second.status == .seeOther)
            let all = try await PaymentAgreement.query(on: app.db).sort(\.$number).all()
            #expect(all.map(\.status) == ["vencido", "pendiente"])

            // Nothing overdue (the old bills paid): no agreement.
            for bill in bills.dropLast() { bill.paidCOP = bill.amountCOP; try await bill.save(on: app.db) }
            _ = try await AgreementService(database: app.db, clock: app.clock, policy: nil, coupons: nil).cancel(number: all[1].number, by: "t", reason: "prueba")
            let none = try await web.get("factura/10234567/acuerdo").body
            #expect(none.contains("no tiene facturas vencidas") && !none.contains("Tu plan"))
            let refused = try await web.post("factura/10234567/acuerdo/codigo", ["cuotas": "3", "nombre": "Maria Restrepo", "celular": "3001234567"])
            #expect(!refused.body.contains("Te enviamos un código"))
            #expect(try await web.get("factura/99999999/acuerdo").status == .notFound)
            app.utilityProfile?.agreements = nil
            #expect(try await web.get("factura/10234567/acuerdo").status == .serviceUnavailable)
        }
    }

    @Test("Two acceptances at once for one contract: one agreement")
    func race() async throws {
        let manual = AppClock.Manual(Self.start)
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await unpaid(app)
            let service = AgreementService(database: app.db, clock: app.clock, policy: app.utilityProfile?.agreements, coupons: app.utilityProfile?.coupons)
            let acceptance = AgreementService.Acceptance(contractNumber: "10234567", instalments: 3, name: "Maria Restrepo", phone: "+573001234567",
                                                         channel: "factura_web", client: "127.0.0.1")
            let made = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 { group.addTask { (try? await service.accept(acceptance)) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(made == 1)
            #expect(try await PaymentAgreement.query(on: app.db).count() == 1)
            #expect(try await PaymentCoupon.query(on: app.db).count() == 1)
        }
    }
}
