@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Suggestions: routed to an area, answered on the customer's channel, their changes counted")
struct SuggestionTests {
    static let areas = [
        SuggestionArea(id: "oficinas", name: "Atención en oficinas", keywords: ["oficina", "turnos", "fila"]),
        SuggestionArea(id: "facturacion", name: "Facturación y cartera", keywords: ["factura", "cobro"]),
    ]

    @Test("The route follows the area whose keywords the text names most, accents and case aside; none named, none chosen; bad lists are refused")
    func routing() {
        #expect(SuggestionArea.route("En la OFICINA de Bello deberían dar turnos por la tarde, la fila es larga", among: Self.areas)?.id == "oficinas")
        #expect(SuggestionArea.route("La factura debería explicar el cobro del alumbrado (y la oficina...)", among: Self.areas)?.id == "facturacion")
        #expect(SuggestionArea.route("Me gustaría que tuvieran más colores", among: Self.areas) == nil)
        // Whole words only: «filas» is not «fila», «oficinista» is not «oficina».
        #expect(SuggestionArea.route("soy oficinista", among: Self.areas) == nil)
        #expect(SuggestionArea.problem(Self.areas) == nil)
        #expect(SuggestionArea.problem(Self.areas + [SuggestionArea(id: "oficinas", name: "Otra")])?.contains("repetido") == true)
        #expect(SuggestionArea.problem([SuggestionArea(id: "Área 1", name: "X")])?.contains("minúsculas") == true)
        #expect(SuggestionArea.problem([SuggestionArea(id: "vacia", name: " ")])?.contains("no tiene nombre") == true)
    }

    @Test("Filed: routed by its words, or by the desk; answered, the customer gets it by SMS; the change shows in the lookup; the month counts received, answered and changes")
    func roundTrip() async throws {
        try await CasesTests().withCases(at: "2026-12-01") { app, clock in
            app.utilityProfile?.suggestionAreas = Self.areas
            let service = app.caseService()
            var first = CaseDraft(type: .sugerencia, channel: .pqrWeb, description: "Sería bueno que la oficina de Bello diera turnos también los sábados por la mañana.")
            first.name = "Ana María Restrepo"
            first.phone = "3001234567"
            let routed = try await service.file(first)
            var second = CaseDraft(type: .sugerencia, channel: .pqrWeb, description: "Me gustaría recibir un recordatorio unos días antes de que venza el plazo.")
            second.name = "Luis Pérez"
            let unrouted = try await service.file(second)
            func row(_ radicado: String) async throws -> PQRCase { try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == radicado).first()) }
            #expect(try await row(routed.radicado).area == "oficinas")
            #expect(try await row(unrouted.radicado).area == nil)
            let events = try await service.events(of: routed.caseID, publicOnly: true)
            #expect(events.contains { $0.kind == "remitida" && $0.detail.contains("Atención en oficinas") })

            // The desk routes the other one; a wrong area or a case that is not a suggestion is refused.
            let agent = try OfficeBrowser(app)
            try await agent.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let page = try await agent.get("backoffice/pqr/\(unrouted.radicado)")
            #expect(page.body.contains(#"id="area-actual">Sin remitir todavía<"#) && page.body.contains(#"<option value="facturacion" >Facturación y cartera</option>"#))
            let wrong = try await agent.post("backoffice/pqr/\(unrouted.radicado)/remitir", ["csrf": agent.csrf, "area": "marte"])
            #expect(wrong.status == .badRequest && wrong.body.contains("Elige una de las áreas"))
            let moved = try await agent.post("backoffice/pqr/\(unrouted.radicado)/remitir", ["csrf": agent.csrf, "area": "facturacion"])
            #expect(moved.status == .seeOther)
            #expect(try await row(unrouted.radicado).area == "facturacion")
            let queja = try await service.file(CasesTests.draft(.queja))
            _ = try await agent.get("backoffice/pqr/\(queja.radicado)")
            #expect(try await agent.post("backoffice/pqr/\(queja.radicado)/remitir", ["csrf": agent.csrf, "area": "oficinas"]).body.contains("Esto solo aplica a las sugerencias"))

            // The area answers; the customer is told on their channel (SMS here).
            let staff = try await staffContext(app, "supervisor@ema.demo")
            clock.advance(by: 86_400)
            try await app.caseNotifier().answer(try await row(routed.radicado), decision: .accede,
                                                text: "Gracias por tu sugerencia: desde enero la oficina de Bello dará turnos los sábados de 8 a 12.", by: staff)
            try await drainJobs(app)
            let sms = try #require(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573001234567").sort(\.$createdAt, .descending).first())
            #expect(sms.body.contains(routed.radicado) && sms.body.contains("respondimos tu sugerencia"))

            // The change: a note is needed; then the customer reads it in the lookup.
            try await agent.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            _ = try await agent.get("backoffice/pqr/\(routed.radicado)")
            let unchosen = try await agent.post("backoffice/pqr/\(routed.radicado)/cambio", ["csrf": agent.csrf, "nota": ""])
            #expect(unchosen.status == .badRequest && unchosen.body.contains("Elige si la sugerencia llevó a un cambio"))
            let short = try await agent.post("backoffice/pqr/\(routed.radicado)/cambio", ["csrf": agent.csrf, "cambio": "si", "nota": "Sábados"])
            #expect(short.body.contains("Cuenta en pocas palabras qué cambió"))
            let saved = try await agent.post("backoffice/pqr/\(routed.radicado)/cambio", ["csrf": agent.csrf, "cambio": "si", "nota": "La oficina de Bello abre los sábados de 8 a 12 desde enero."])
            #expect(saved.status == .seeOther)
            #expect(try await row(routed.radicado).ledToChange == true)
            var lookup = ""
            try await app.testing().test(.POST, "radicado", beforeRequest: { request in
                try request.content.encode(["numero": routed.radicado, "codigo": routed.code], as: .urlEncodedForm)
            }, afterResponse: { lookup = $0.body.string })
            #expect(lookup.contains("Tu sugerencia nos llevó a un cambio: La oficina de Bello abre los sábados") && lookup.contains("Remitida a Atención en oficinas, el área que la puede atender"))

            // December: 2 received, 1 answered (50 %), 1 change; by area.
            let figures = try await app.indicatorService().month(BillingPeriod("2026-12")!)
            #expect(figures.figure(.suggestionsAnswered) == Figure(indicator: .suggestionsAnswered, dimension: .total, value: 50, cases: 2))
            #expect(figures.figure(.suggestionChanges) == Figure(indicator: .suggestionChanges, dimension: .total, value: 1, cases: 1))
            #expect(figures.figure(.suggestionsAnswered, .area("Facturación y cartera"))?.value == 0 && figures.figure(.suggestionsAnswered, .area("Atención en oficinas"))?.value == 100)

            // The areas' list.
            let list = try await agent.get("backoffice/sugerencias?estado=todas")
            #expect(list.status == .ok && list.body.contains("<td>Atención en oficinas</td><td>1</td><td>0</td><td>1</td><td>1</td>"))
            #expect(list.body.contains(routed.radicado) && list.body.contains(unrouted.radicado) && !list.body.contains(queja.radicado))
            let pending = try await agent.get("backoffice/sugerencias?area=facturacion")
            #expect(pending.body.contains(unrouted.radicado) && !pending.body.contains(routed.radicado))
        }
    }
}
