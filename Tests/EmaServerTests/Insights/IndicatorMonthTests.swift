@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The month counted from the tables, and the public page and CSV that show it.
extension IndicatorTests {
    // MARK: From the tables

    /// A turn as the office screen leaves it (booking only takes the coming days, so past and
    /// today's turns are written directly).
    func insertTurn(_ app: Application, _ code: String, office: String, day: String, slot: String, status: String, start: Date?, end: Date?) async throws {
        let turn = OfficeTurn()
        turn.code = code
        turn.office = office
        turn.day = day
        turn.slot = slot
        turn.status = TurnStatus(rawValue: status)!
        turn.createdAt = bogota(7, on: day)
        turn.startedAt = start
        turn.endedAt = end
        try await turn.create(on: app.db)
    }

    /// November 2026 (and its edges), seeded through the services where they exist.
    func seedNovember(_ app: Application, _ manual: AppClock.Manual) async throws {
        try await app.staffService().loadDemoAccounts()
        // Turns: Bello waits 12 and 3, attention 18 and 7; Aguinaga waits 0 (early), attention 25.
        func turn(_ code: String, _ office: String, _ day: String, _ slot: String, _ status: String, start: Date? = nil, end: Date? = nil) async throws {
            try await insertTurn(app, code, office: office, day: day, slot: slot, status: status, start: start, end: end)
        }
        try await turn("T-1", "Oficina Bello", "2026-11-10", "08:00", "atendido", start: bogota(8, 12, on: "2026-11-10"), end: bogota(8, 30, on: "2026-11-10"))
        try await turn("T-2", "Oficina Bello", "2026-11-10", "08:30", "atendido", start: bogota(8, 33, on: "2026-11-10"), end: bogota(8, 40, on: "2026-11-10"))
        try await turn("T-3", "Oficina Miguel de Aguinaga", "2026-11-30", "09:00", "atendido", start: bogota(8, 55, on: "2026-11-30"), end: bogota(9, 20, on: "2026-11-30"))
        try await turn("T-4", "Oficina Miguel de Aguinaga", "2026-11-30", "09:30", "no_asistio")
        try await turn("T-5", "Oficina Bello", "2026-12-01", "08:00", "atendido", start: bogota(9, on: "2026-12-01"), end: bogota(9, 10, on: "2026-12-01"))
        try await turn("T-6", "Oficina Bello", "2026-10-31", "08:00", "atendido", start: bogota(9, on: "2026-10-31"), end: bogota(9, 10, on: "2026-10-31"))

        // Chats through the live-chat service, at their instants.
        let chats = app.liveChatService()
        let agent = try await staffContext(app, "agente@ema.demo")
        func ask(_ conversation: String, at instant: Date, message: String? = nil) async throws -> String {
            manual.set(instant)
            return try await chats.request(AgentRequest(conversationID: conversation, channel: .web, phone: nil, transcript: [], message: message)).chat
        }
        // 23:30 in Bogotá on 30 November (04:30 UTC on 1 December): November's. Answered in 50 s, solved.
        let late = try await ask("c1", at: bogota(23, 30, on: "2026-11-30"))
        manual.advance(by: 50)
        _ = try await chats.take(chat: late, by: agent)
        try await chats.close(chat: late, resolved: true, by: agent)
        // Answered in 90 s, not solved.
        let slow = try await ask("c2", at: bogota(10, on: "2026-11-15"))
        manual.advance(by: 90)
        _ = try await chats.take(chat: slow, by: agent)
        try await chats.close(chat: slow, resolved: false, by: agent)
        // Left the queue after two minutes.
        let gone = try await ask("c3", at: bogota(10, on: "2026-11-16"))
        manual.advance(by: 120)
        _ = try await chats.customerLeaves(chat: gone)
        // A message left out of hours: not a chat for the indicators.
        _ = try await ask("c4", at: bogota(21, on: "2026-11-20"), message: "¿Me llaman mañana?")
        // 00:10 on 1 December: December's.
        let december = try await ask("c5", at: bogota(0, 10, on: "2026-12-01"))
        manual.advance(by: 10)
        _ = try await chats.take(chat: december, by: agent)

        // Contracts: Medellín hogares ×2, Bello empresas, Bello hogares.
        for (number, municipality, segment) in [("10000001", "Medellín", "hogares"), ("10000002", "Medellín", "hogares"), ("10000003", "Bello", "empresas"), ("10000004", "Bello", "hogares")] {
            let contract = Contract()
            contract.contractNumber = number
            contract.holderName = "Titular \(number)"
            contract.address = "CL 1 # 2-3"
            contract.municipality = municipality
            contract.segment = segment
            contract.services = "energia"
            contract.status = "activo"
            contract.paperInvoice = false
            try await contract.create(on: app.db)
        }
        // Cases filed on their days: a queja (Medellín, hogares) and a reclamo (Bello, empresas)
        // count; a petición and the quejas of 31 October and 1 December do not.
        func file(_ type: CaseType, _ contract: String, at instant: Date) async throws {
            manual.set(instant)
            var draft = CaseDraft(type: type, channel: .web, description: "Un caso de prueba para los indicadores del mes.")
            draft.contractNumber = contract
            draft.name = "Persona De Prueba"
            _ = try await app.caseService().file(draft)
        }
        try await file(.queja, "10000001", at: bogota(10, on: "2026-11-10"))
        try await file(.reclamo, "10000003", at: bogota(23, 30, on: "2026-11-30"))
        try await file(.peticion, "10000002", at: bogota(10, on: "2026-11-12"))
        try await file(.queja, "10000004", at: bogota(10, on: "2026-10-31"))
        try await file(.queja, "10000004", at: bogota(0, 10, on: "2026-12-01"))

        // Survey answers, on their days.
        func answer(_ kind: SurveyService.Kind, _ subject: String, _ score: Int, at instant: Date, office: String? = nil, municipality: String? = nil, segment: String? = nil) async throws {
            manual.set(instant)
            #expect(try await app.surveyService().record(.init(kind: kind, subject: subject, channel: "web", score: score, office: office, municipality: municipality, segment: segment)))
        }
        try await answer(.chat, late, 5, at: bogota(23, 35, on: "2026-11-30"))
        try await answer(.oficina, "T-1", 4, at: bogota(9, on: "2026-11-10"), office: "Oficina Bello", municipality: "Bello", segment: "hogares")
        try await answer(.oficina, "T-2", 2, at: bogota(9, on: "2026-11-10"), office: "Oficina Bello", municipality: "Bello", segment: "empresas")
        try await answer(.queja, "R-1", 3, at: bogota(12, on: "2026-11-20"), municipality: "Medellín", segment: "hogares")
        try await answer(.oficina, "T-9", 5, at: bogota(12, on: "2026-11-12"), office: #"Punto "Fácil", <Centro>"#, municipality: "Medellín")
        try await answer(.campana, "I-1", 1, at: bogota(0, 10, on: "2026-12-01"), segment: "hogares")
        manual.set(bogota(10, on: "2026-12-02"))
    }

    @Test("November from the tables: the hand-computed figures, a chat and a reclamo at 23:30 on the 30th counted in November, December's and October's left out")
    func monthFromTables() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await seedNovember(app, manual)
            let month = try await app.indicatorService().month(try #require(BillingPeriod("2026-11")))
            let figures = month.figures
            // Waits 12, 3, 0 → 5.0; attention 18, 7, 25 → 16.666… → 16.7
            #expect(value(figures, .officeWait) == 5.0 && value(figures, .officeAttention) == 16.7 && cases(figures, .officeWait) == 3)
            #expect(value(figures, .officeWait, .office("Oficina Bello")) == 7.5 && value(figures, .officeAttention, .office("Oficina Bello")) == 12.5)
            #expect(value(figures, .officeWait, .municipality("Medellín")) == 0.0 && value(figures, .officeAttention, .municipality("Medellín")) == 25.0)
            // Chats: 50 s in time, 90 s late, abandoned → 1 of 3 = 33.3 %; verdicts yes, no → 50.0 %
            #expect(value(figures, .chatServiceLevel) == 33.3 && cases(figures, .chatServiceLevel) == 3)
            #expect(value(figures, .chatEfficacy) == 50.0 && cases(figures, .chatEfficacy) == 2)
            // 2 complaints, 4 contracts → 5,000.00; Medellín 1/2, Bello 1/2 → 5,000.00; hogares 1/3 → 3,333.33; empresas 1/1 → 10,000.00
            #expect(value(figures, .complaintIndex) == 5_000 && cases(figures, .complaintIndex) == 2)
            #expect(value(figures, .complaintIndex, .municipality("Medellín")) == 5_000 && value(figures, .complaintIndex, .municipality("Bello")) == 5_000)
            #expect(value(figures, .complaintIndex, .segment("hogares")) == 3_333.33 && value(figures, .complaintIndex, .segment("empresas")) == 10_000)
            // Answers 5, 4, 2, 3, 5 → 3 of 5 = 60.0 %, 19 / 5 = 3.80
            #expect(value(figures, .satisfaction) == 60.0 && value(figures, .satisfactionAverage) == 3.8 && cases(figures, .satisfaction) == 5)
            #expect(value(figures, .satisfaction, .office("Oficina Bello")) == 50.0 && value(figures, .satisfactionAverage, .segment("hogares")) == 3.5)

            // December so far: the 00:10 chat answered in 10 s, the 1 December queja, the campaign's 1.
            let december = try await app.indicatorService().month(try #require(BillingPeriod("2026-12"))).figures
            #expect(value(december, .chatServiceLevel) == 100.0 && cases(december, .complaintIndex) == 1 && value(december, .satisfaction) == 0.0)
            #expect(value(december, .officeWait) == 60.0)
        }
    }

    @Test("/indicadores: last complete month by default, SVG charts with titles, tables, Spanish numbers, a CSV link; no personal data; names escaped")
    func publicPage() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await seedNovember(app, manual)
            var page = ""
            try await app.testing().test(.GET, "indicadores") { response in
                #expect(response.status == .ok)
                page = response.body.string
            }
            #expect(page.contains("Indicadores de atención · <span id=\"mes-nombre\">noviembre de 2026</span>"))
            #expect(page.contains(#"<option value="2026-11" selected>noviembre de 2026</option>"#) && page.contains("diciembre de 2026 (en curso)"))
            #expect(page.contains(#"href="/indicadores.csv?mes=2026-11""#))
            // The six-month trend as a chart per indicator, oldest month first.
            let trend = try #require(page.range(of: #"<svg class="chart" id="tendencia-tiempo_espera_oficina""#))
            let chart = String(page[trend.lowerBound...].prefix(while: { $0 != "\u{0}" }).prefix(4_000))
            #expect(chart.range(of: "junio de 2026")!.lowerBound < chart.range(of: "noviembre de 2026")!.lowerBound)
            #expect(page.components(separatedBy: #"<svg class="chart" id="tendencia-"#).count - 1 == Indicator.allCases.count)
            #expect(page.contains("<svg class=\"chart\"") && page.contains("<title id=\"grafico-tiempo_espera_oficina-3-t\">Tiempo de espera en oficinas, por oficina, noviembre de 2026</title>"))
            for shown in ["5,0 min", "16,7 min", "33,3 %", "50,0 %", "5.000,00", "3.333,33", "10.000,00", "60,0 %", "3,80 de 5", "7,5 min"] {
                #expect(page.contains(shown), "falta \(shown)")
            }
            #expect(page.contains("Punto &quot;Fácil&quot;, &lt;Centro&gt;") && !page.contains("<Centro>"))
            for personal in ["Persona De Prueba", "Titular", "10000001", "agente@ema.demo", "Andrea"] {
                #expect(!page.contains(personal), "la página muestra \(personal)")
            }
            // The month's PQR statistics, beside the indicators.
            #expect(page.contains(#"<h2 id="titulo-pqr-estadisticas">Las PQR de noviembre de 2026</h2>"#) && page.contains(#"<strong id="pqr-radicadas">3</strong>"#))
            #expect(page.contains("<td>Queja</td><td>1</td><td>33,3 %</td>") && page.contains(#"id="pqr-municipio""#))
            // The trend: November and the five months before it.
            #expect(page.contains("<th scope=\"row\">noviembre de 2026</th>") && page.contains("<th scope=\"row\">junio de 2026</th>") && !page.contains("<th scope=\"row\">mayo de 2026</th>"))
            // The footer and home link to it.
            try await app.testing().test(.GET, "/") { #expect($0.body.string.contains(#"<a href="/indicadores">Indicadores de atención</a>"#)) }
        }
    }

    @Test("A month without data says «sin datos» everywhere, without errors; a bad or future month gets a 400 in Spanish")
    func emptyAndBadMonths() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.testing().test(.GET, "indicadores?mes=2026-06") { response in
                let page = response.body.string
                #expect(response.status == .ok && page.contains("junio de 2026"))
                #expect(page.contains("<p class=\"big\">sin datos</p>") && !page.contains("NaN") && !page.contains(">nan") && !page.contains(">inf"))
                #expect(page.contains("Sin datos para mostrar por oficina"))
            }
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-06") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("2026-06,indice_quejas_reclamos,total,,por 10.000 contratos,0\r\n"))
            }
            for bad in ["2026-13", "noviembre", "2026-1", "26-11", "2026-11-01"] {
                try await app.testing().test(.GET, "indicadores?mes=\(bad)") { response in
                    #expect(response.status == .badRequest && response.body.string.contains("No entendimos el mes"), "\(bad)")
                }
            }
            try await app.testing().test(.GET, "indicadores?mes=2027-01") { response in
                #expect(response.status == .badRequest && response.body.string.contains("ese mes no ha empezado"))
            }
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-99", headers: ["Accept": "application/json"]) { response in
                #expect(response.status == .badRequest && response.body.string.contains(#""code":"bad_month""#))
            }
            // The month in course is allowed.
            try await app.testing().test(.GET, "indicadores?mes=2026-12") { #expect($0.status == .ok && $0.body.string.contains("mes en curso")) }
        }
    }

    @Test("/indicadores.csv: attachment, the header, one line per indicator and dimension, RFC 4180 quoting")
    func csv() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await seedNovember(app, manual)
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-11") { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType == "csv")
                #expect(response.headers.first(name: .contentDisposition) == #"attachment; filename="indicadores-2026-11.csv""#)
                let body = response.body.string
                let lines = body.components(separatedBy: "\r\n")
                #expect(lines.first == "mes,indicador,dimension,valor,unidad,casos" && lines.last == "")
                for line in [
                    "2026-11,tiempo_espera_oficina,total,5.0,minutos,3",
                    "2026-11,tiempo_atencion_oficina,oficina:Oficina Miguel de Aguinaga,25.0,minutos,1",
                    "2026-11,nivel_servicio_chat,total,33.3,porcentaje,3",
                    "2026-11,nivel_servicio_chat,canal:web,33.3,porcentaje,3",
                    "2026-11,eficacia_chat,total,50.0,porcentaje,2",
                    "2026-11,indice_quejas_reclamos,total,5000.00,por 10.000 contratos,2",
                    "2026-11,indice_quejas_reclamos,segmento:hogares,3333.33,por 10.000 contratos,1",
                    "2026-11,satisfaccion_csat,total,60.0,porcentaje,5",
                    // The month's PQR: the queja, the reclamo at 23:30 on the 30th and the petición; none answered yet.
                    "2026-11,pqr_radicadas,total,3,pqr,3",
                    "2026-11,pqr_radicadas,tipo:Queja,1,pqr,1",
                    "2026-11,pqr_radicadas,tipo:Petición,1,pqr,1",
                    "2026-11,pqr_respondidas,total,0,pqr,0",
                    "2026-11,pqr_respondidas_a_tiempo,total,,porcentaje,0",
                    "2026-11,encuesta_periodica,total,,calificación de 1 a 5,0",
                    "2026-11,satisfaccion_promedio,encuesta:oficina,3.67,calificación de 1 a 5,3",
                    #"2026-11,satisfaccion_csat,"oficina:Punto ""Fácil"", <Centro>",100.0,porcentaje,1"#,
                ] {
                    #expect(lines.contains(line), "falta la línea \(line)")
                }
                // Every line has six fields once quoting is undone.
                #expect(lines.dropLast().allSatisfy { Self.fields($0).count == 6 })
            }
        }
    }

    /// Splits one RFC 4180 line.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                } else { current.append(character) }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        return fields + [current]
    }
}
