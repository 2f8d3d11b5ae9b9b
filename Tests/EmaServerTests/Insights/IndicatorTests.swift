@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Hand-computed fixtures: every expected number below is worked out in the comment beside it.
@Suite("Service indicators: the arithmetic, the month from the tables, the public page and CSV, the back office's live figures")
struct IndicatorTests {
    // MARK: Pure arithmetic

    func at(_ hour: Int, _ minute: Int, _ second: Int = 0, on day: String = "2026-11-10") -> Date {
        bogota(hour, minute, on: day).addingTimeInterval(Double(second))
    }

    func turn(_ office: String, _ municipality: String?, _ status: String = "atendido", slot: (Int, Int), start: (Int, Int, Int)? = nil, end: (Int, Int, Int)? = nil) -> Indicators.TurnFact {
        Indicators.TurnFact(
            office: office, municipality: municipality, status: TurnStatus(rawValue: status)!, slotStart: at(slot.0, slot.1),
            startedAt: start.map { at($0.0, $0.1, $0.2) }, endedAt: end.map { at($0.0, $0.1, $0.2) }
        )
    }

    func value(_ figures: [Figure], _ indicator: Indicator, _ dimension: IndicatorDimension = .total) -> Double? {
        figures.first { $0.indicator == indicator && $0.dimension == dimension }?.value
    }

    func cases(_ figures: [Figure], _ indicator: Indicator, _ dimension: IndicatorDimension = .total) -> Int? {
        figures.first { $0.indicator == indicator && $0.dimension == dimension }?.cases
    }

    @Test("Office times: waiting from the booked slot (early counts 0) and attention, averaged in minutes, by office and municipality; only attended turns")
    func officeTimes() {
        let figures = Indicators.officeTimes([
            // A: wait 10, attention 15
            turn("A", "Medellín", slot: (8, 0), start: (8, 10, 0), end: (8, 25, 0)),
            // A: started before its slot → wait 0; attention 12
            turn("A", "Medellín", slot: (8, 30), start: (8, 20, 0), end: (8, 32, 0)),
            // B: wait 20.5, attention 29.5
            turn("B", "Bello", slot: (9, 0), start: (9, 20, 30), end: (9, 50, 0)),
            turn("A", "Medellín", "no_asistio", slot: (9, 30)),
            turn("B", "Bello", "reservado", slot: (10, 0)),
            turn("B", "Bello", "en_atencion", slot: (10, 30), start: (11, 0, 0)),
        ])
        // (10 + 0 + 20.5) / 3 = 10.1666… → 10.2; (15 + 12 + 29.5) / 3 = 18.8333… → 18.8
        #expect(value(figures, .officeWait) == 10.2 && value(figures, .officeAttention) == 18.8)
        #expect(cases(figures, .officeWait) == 3 && cases(figures, .officeAttention) == 3)
        // A: (10 + 0) / 2 = 5; (15 + 12) / 2 = 13.5. B: 20.5 and 29.5.
        #expect(value(figures, .officeWait, .office("A")) == 5.0 && value(figures, .officeAttention, .office("A")) == 13.5)
        #expect(value(figures, .officeWait, .office("B")) == 20.5 && value(figures, .officeAttention, .office("B")) == 29.5)
        #expect(value(figures, .officeWait, .municipality("Medellín")) == 5.0 && value(figures, .officeWait, .municipality("Bello")) == 20.5)
        #expect(cases(figures, .officeWait, .office("B")) == 1)
    }

    @Test("Chat: service level within 60 s (60 s exactly is in time), abandoned and overdue waits fail, recent waits and out-of-hours messages are left out; efficacy over the advisor's verdicts")
    func chat() {
        let now = at(10, 0)
        func chat(_ channel: String, _ status: String, _ asked: (Int, Int, Int), answered: (Int, Int, Int)? = nil, resolved: Bool? = nil) -> Indicators.ChatFact {
            Indicators.ChatFact(channel: channel, status: LiveChatStatus(rawValue: status)!, requestedAt: at(asked.0, asked.1, asked.2), answeredAt: answered.map { at($0.0, $0.1, $0.2) }, resolved: resolved)
        }
        let figures = Indicators.chatFigures([
            chat("web", "cerrado", (9, 0, 0), answered: (9, 0, 45), resolved: true),        // in time
            chat("web", "cerrado", (9, 10, 0), answered: (9, 11, 0), resolved: false),       // 60 s: in time
            chat("whatsapp", "cerrado", (9, 20, 0), answered: (9, 21, 1)),                   // 61 s: late; customer closed
            chat("whatsapp", "abandonado", (9, 30, 0)),                                      // never answered
            chat("web", "en_espera", (9, 59, 30)),                                           // 30 s so far: undecided
            chat("web", "en_espera", (9, 58, 0)),                                            // 2 min waiting: late
            chat("kiosk", "mensaje", (22, 0, 0), answered: (23, 0, 0), resolved: true),      // out of hours: not a chat
            chat("kiosk", "cerrado", (9, 40, 0), answered: (9, 40, 10), resolved: true),     // in time
        ], now: now)
        // Decided 6, in time 3 → 50.0 %; verdicts T, F, T → 2/3 = 66.7 %
        #expect(value(figures, .chatServiceLevel) == 50.0 && cases(figures, .chatServiceLevel) == 6)
        #expect(value(figures, .chatEfficacy) == 66.7 && cases(figures, .chatEfficacy) == 3)
        // web: 2 of 3 → 66.7 %, efficacy 1 of 2 → 50 %; whatsapp 0 of 2, no verdicts; kiosk 1 of 1.
        #expect(value(figures, .chatServiceLevel, .channel("web")) == 66.7 && value(figures, .chatEfficacy, .channel("web")) == 50.0)
        #expect(value(figures, .chatServiceLevel, .channel("whatsapp")) == 0.0 && cases(figures, .chatEfficacy, .channel("whatsapp")) == nil)
        #expect(value(figures, .chatServiceLevel, .channel("kiosk")) == 100.0 && value(figures, .chatEfficacy, .channel("kiosk")) == 100.0)
        // A minute later the waiting chat of 9:59:30 has failed too: 3 of 7.
        #expect(value(Indicators.chatFigures([chat("web", "en_espera", (9, 59, 30)), chat("web", "cerrado", (9, 0, 0), answered: (9, 0, 5))], now: at(10, 0, 31)), .chatServiceLevel) == 50.0)
    }

    @Test("Complaint index: quejas and reclamos per 10,000 contracts with two decimals, by municipality and segment against their own contracts")
    func complaintIndex() {
        let figures = Indicators.complaintIndex(
            complaints: [.init(municipality: "Medellín", segment: "hogares", count: 3), .init(municipality: "Bello", segment: "empresas", count: 1), .init(municipality: nil, segment: nil, count: 1)],
            contracts: [
                .init(municipality: "Medellín", segment: "hogares", count: 6_000), .init(municipality: "Medellín", segment: "empresas", count: 1_000),
                .init(municipality: "Bello", segment: "empresas", count: 2_000), .init(municipality: "Bello", segment: "hogares", count: 3_000),
            ]
        )
        // 5 × 10,000 / 12,000 = 4.1666… → 4.17
        #expect(value(figures, .complaintIndex) == 4.17 && cases(figures, .complaintIndex) == 5)
        // Medellín 3 / 7,000 → 4.2857… → 4.29; Bello 1 / 5,000 → 2.00
        #expect(value(figures, .complaintIndex, .municipality("Medellín")) == 4.29 && value(figures, .complaintIndex, .municipality("Bello")) == 2.0)
        // hogares 3 / 9,000 → 3.33; empresas 1 / 3,000 → 3.33
        #expect(value(figures, .complaintIndex, .segment("hogares")) == 3.33 && value(figures, .complaintIndex, .segment("empresas")) == 3.33)
        // No contracts: no index (never a division by zero), but the complaints are counted.
        let none = Indicators.complaintIndex(complaints: [.init(municipality: "Turbo", segment: nil, count: 2)], contracts: [])
        #expect(value(none, .complaintIndex) == nil && cases(none, .complaintIndex) == 2)
        // Rounding is half up on the exact fraction: 2.675 → 2.68 (a Double would give 2.67).
        #expect(Indicators.ratio(2_675, 1_000, decimals: 2) == 2.68 && Indicators.ratio(1, 8, decimals: 2) == 0.13 && Indicators.ratio(1, 0, decimals: 2) == nil)
    }

    @Test("CSAT: the share of 4s and 5s and the average score, by survey kind, office, municipality and segment")
    func satisfaction() {
        let figures = Indicators.satisfaction([
            .init(kind: "chat", score: 5, count: 2),
            .init(kind: "chat", score: 3),
            .init(kind: "queja", score: 4, municipality: "Bello", segment: "hogares"),
            .init(kind: "oficina", score: 2, office: "A", municipality: "Medellín", segment: "empresas"),
            .init(kind: "campana", score: 5, segment: "hogares"),
        ])
        // 6 answers, 4 of them 4 or 5 → 66.7 %; (5 + 5 + 3 + 4 + 2 + 5) / 6 = 4.00
        #expect(value(figures, .satisfaction) == 66.7 && value(figures, .satisfactionAverage) == 4.0 && cases(figures, .satisfaction) == 6)
        // chat: 2 of 3, 13 / 3 = 4.33
        #expect(value(figures, .satisfaction, .kind("chat")) == 66.7 && value(figures, .satisfactionAverage, .kind("chat")) == 4.33)
        #expect(value(figures, .satisfaction, .segment("hogares")) == 100.0 && value(figures, .satisfactionAverage, .segment("hogares")) == 4.5)
        #expect(value(figures, .satisfaction, .segment("empresas")) == 0.0 && value(figures, .satisfactionAverage, .office("A")) == 2.0)
        #expect(value(figures, .satisfaction, .municipality("Bello")) == 100.0)
    }

    @Test("First contact: solved over judged, in total and by channel; contacts without a verdict are left out; walk-ins wait from arrival")
    func firstContact() {
        let chats = [
            Indicators.ChatFact(channel: "web", status: .closed, requestedAt: at(9, 0), answeredAt: at(9, 0, 30), resolved: true),
            Indicators.ChatFact(channel: "web", status: .closed, requestedAt: at(9, 5), answeredAt: at(9, 6), resolved: false),
            Indicators.ChatFact(channel: "web", status: .closed, requestedAt: at(9, 7), answeredAt: at(9, 8), resolved: nil),
            Indicators.ChatFact(channel: "web", status: .abandoned, requestedAt: at(9, 9), answeredAt: nil, resolved: nil),
        ]
        let turns = [
            Indicators.TurnFact(office: "A", municipality: nil, status: .attended, slotStart: at(9, 0), startedAt: at(9, 10), endedAt: at(9, 20), resolved: true),
            Indicators.TurnFact(office: "A", municipality: nil, status: .attended, slotStart: at(9, 30), startedAt: at(9, 40), endedAt: at(9, 50), origin: .walkIn, arrivedAt: at(9, 36), resolved: true),
            Indicators.TurnFact(office: "A", municipality: nil, status: .attended, slotStart: nil, startedAt: at(10, 0), endedAt: at(10, 5), resolved: nil),
            Indicators.TurnFact(office: "A", municipality: nil, status: .absent, slotStart: at(9, 0), startedAt: nil, endedAt: nil, resolved: false),
        ]
        let resolutions = Indicators.resolutions(chats: chats, turns: turns)
        #expect(resolutions == [.init(channel: "chat", resolved: 1, total: 2), .init(channel: "oficina", resolved: 2, total: 2)])
        // Calls 7 of 9, PQR 2 of 3; with chats 1 of 2 and visits 2 of 2: 12 of 16 = 75 %.
        let figures = Indicators.firstContact(resolutions + [.init(channel: "telefono", resolved: 7, total: 9), .init(channel: "pqr", resolved: 2, total: 3), .init(channel: "vacio", resolved: 0, total: 0)])
        #expect(value(figures, .firstContactResolution) == 75 && cases(figures, .firstContactResolution) == 16)
        #expect(value(figures, .firstContactResolution, .channel("telefono")) == 77.8 && value(figures, .firstContactResolution, .channel("pqr")) == 66.7)
        #expect(value(figures, .firstContactResolution, .channel("chat")) == 50 && value(figures, .firstContactResolution, .channel("oficina")) == 100)
        #expect(!figures.contains { $0.dimension == .channel("vacio") })
        #expect(IndicatorDimension.channel("telefono").label == "Línea telefónica" && IndicatorDimension.origin("sin_cita").label == "Sin cita")
        // The walk-in waited 4 minutes from arrival, not 10 from its slot's time.
        let times = Indicators.officeTimes(turns)
        #expect(value(times, .officeWait, .origin("sin_cita")) == 4 && value(times, .officeWait, .origin("reservado")) == 10)
    }

    @Test("Nothing to measure: every indicator has a total without value, shown as «sin datos»")
    func empty() {
        let figures = Indicators.officeTimes([]) + Indicators.chatFigures([], now: at(10, 0)) + Indicators.complaintIndex(complaints: [], contracts: [])
            + Indicators.satisfaction([]) + PhoneIndicators.indicators([]) + Indicators.firstContact([]) + Indicators.suggestions([])
            + Indicators.pqrOnTime(answered: 0, onTime: 0) + Indicators.campaign([])
        #expect(Set(figures.map(\.indicator)) == Set(Indicator.allCases))
        #expect(figures.allSatisfy { $0.dimension == .total && $0.value == nil && $0.cases == 0 })
        #expect(Indicator.allCases.allSatisfy { $0.display(nil) == "sin datos" })
        #expect(Indicator.officeWait.display(10.2) == "10,2 min" && Indicator.complaintIndex.display(5_000) == "5.000,00 por 10.000 contratos" && Indicator.complaintIndex.short(5_000) == "5.000,00" && Indicator.satisfactionAverage.display(4) == "4,00 de 5")
    }

    @Test("Today's queue: booked turns whose time has come wait, later ones do not; called and in attention together; cancelled left out")
    func queue() {
        let queues = Indicators.queue([
            turn("A", nil, "reservado", slot: (9, 0)), turn("A", nil, "reservado", slot: (11, 0)), turn("A", nil, "llamado", slot: (9, 30)),
            turn("B", nil, "en_atencion", slot: (9, 30)), turn("B", nil, "atendido", slot: (8, 0)), turn("B", nil, "no_asistio", slot: (8, 30)),
            turn("B", nil, "cancelado", slot: (9, 0)),
        ], now: at(10, 0))
        #expect(queues[.total] == Indicators.Queue(waiting: 1, later: 1, inAttention: 2, attended: 1, absent: 1))
        #expect(queues[.office("A")] == Indicators.Queue(waiting: 1, later: 1, inAttention: 1))
    }

    @Test("The SVG chart has a title, a description, a label and a value per bar, and escapes names")
    func chart() {
        let svg = BarChart(id: "g", title: "Espera <por> oficina", bars: [
            .init(label: "Oficina \"A\" & B", value: 10, text: "10,0 min"), .init(label: "C", value: nil, text: "sin datos"),
        ]).svg
        #expect(svg.hasPrefix("<svg") && svg.contains(#"role="img""#) && svg.contains("<title id=\"g-t\">Espera &lt;por&gt; oficina</title>"))
        #expect(svg.contains("Oficina &quot;A&quot; &amp; B") && svg.contains(">10,0 min</text>") && svg.contains(">sin datos</text>"))
        #expect(svg.components(separatedBy: "<rect").count == 2)
        // Coordinates are SVG numbers (a decimal point), whatever the values shown say.
        let long = BarChart(id: "h", title: "t", bars: [.init(label: "a", value: 3, text: "3"), .init(label: "b", value: 1, text: "1")]).svg
        #expect(long.range(of: #"(x|y|width|height)="[0-9.]*,[0-9]"#, options: .regularExpression) == nil)
        #expect(long.contains(#"width="106.7""#))
    }

    @Test("The public figures are cached per node for five minutes by the app's clock, then recounted")
    func cache() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { (app: Application) async throws in
            func total() async throws -> String {
                var line = ""
                try await app.testing().test(.GET, "indicadores.csv?mes=2026-12") { response in
                    line = response.body.string.components(separatedBy: "\r\n").first { $0.hasPrefix("2026-12,satisfaccion_csat,total,") } ?? ""
                }
                return line
            }
            #expect(try await total() == "2026-12,satisfaccion_csat,total,,porcentaje,0")
            #expect(try await app.surveyService().record(.init(kind: .chat, subject: "x", channel: "web", score: 5)))
            #expect(try await total() == "2026-12,satisfaccion_csat,total,,porcentaje,0")
            manual.advance(by: IndicatorCache.defaultLifetime)
            #expect(try await total() == "2026-12,satisfaccion_csat,total,100.0,porcentaje,1")
            // Without a cache every visit counts again.
            app.indicatorCache = IndicatorCache(lifetime: 0)
            #expect(try await app.surveyService().record(.init(kind: .chat, subject: "y", channel: "web", score: 1)))
            #expect(try await total() == "2026-12,satisfaccion_csat,total,50.0,porcentaje,2")
        }
    }

    @Test("Back office: today's live figures for supervisors and administrators, reloading every 30 s; sign-in required; agents refused")
    func liveFigures() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let today = "2026-12-02"
            for (code, slot, status, start, end) in [
                ("T-1", "08:00", "atendido", bogota(8, 6, on: today), bogota(8, 20, on: today)),   // wait 6, attention 14
                ("T-2", "09:30", "reservado", nil, nil),                                          // its time has come: waiting
                ("T-3", "11:00", "reservado", nil, nil),                                          // later
                ("T-4", "09:00", "en_atencion", bogota(9, 50, on: today), nil),
            ] as [(String, String, String, Date?, Date?)] {
                try await insertTurn(app, code, office: "Oficina Bello", day: today, slot: slot, status: status, start: start, end: end)
            }
            let chats = app.liveChatService()
            manual.set(bogota(9, 57, on: today))
            let answered = try await chats.request(AgentRequest(conversationID: "a", channel: .web, phone: nil, transcript: [])).chat
            manual.advance(by: 20)
            _ = try await chats.take(chat: answered, by: try await staffContext(app, "agente@ema.demo"))
            manual.set(bogota(9, 58, on: today))
            _ = try await chats.request(AgentRequest(conversationID: "b", channel: .web, phone: nil, transcript: []))
            manual.set(bogota(10, on: today))
            #expect(try await app.surveyService().record(.init(kind: .oficina, subject: "T-1", channel: "sms", score: 5)))

            let browser = try OfficeBrowser(app)
            let anonymous = try await browser.get("backoffice/indicadores")
            #expect(anonymous.status == .seeOther && anonymous.location.hasPrefix("/backoffice/ingresar"))
            try await browser.signIn("agente@ema.demo", "agente-demo-2026")
            let refused = try await browser.get("backoffice/indicadores")
            #expect(refused.status == .forbidden && refused.body.contains("Tu rol no tiene acceso"))

            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let page = try await supervisor.get("backoffice/indicadores")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"data-refrescar="30""#))
            #expect(page.body.contains(#"href="/backoffice/indicadores">Indicadores</a>"#))
            func card(_ id: String) -> String {
                guard let start = page.body.range(of: "id=\"\(id)\""), let end = page.body[start.upperBound...].range(of: "</article>") else { return "" }
                return String(page.body[start.upperBound..<end.lowerBound])
            }
            #expect(card("turnos-espera").contains(#"<p class="big">1</p>"#) && card("turnos-espera").contains("1 llamados o en atención · 1 reservados para más tarde"))
            #expect(card("espera-hoy").contains("6,0 min") && card("atencion-hoy").contains("14,0 min"))
            #expect(card("chats-espera").contains(#"<p class="big">1</p>"#) && card("chats-espera").contains("La espera más larga va en 2 min 0 s."))
            #expect(card("chats-atencion").contains(#"<p class="big">1</p>"#))
            // 20 s: in time; the other has waited 2 minutes: late → 50.0 %
            #expect(card("nivel-servicio-hoy").contains("50,0 %") && card("eficacia-hoy").contains("sin datos"))
            #expect(card("csat-hoy").contains("100,0 %") && card("csat-hoy").contains("promedio 5,00 de 5"))
            #expect(page.body.contains("<td>Oficina Bello</td><td>1</td><td>1</td><td>1</td><td>1</td><td>0</td><td>6,0 min</td>"))

            let admin = try OfficeBrowser(app)
            try await admin.signIn("admin@ema.demo", "admin-demo-2026")
            #expect(try await admin.get("backoffice/indicadores").status == .ok)
        }
    }

    @Test("The demo history fills last month's indicators and today's, leaves nobody waiting, and loading it twice adds nothing")
    func demo() async throws {
        let manual = AppClock.Manual(bogota(10, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            try await app.staffService().loadDemoAccounts()
            let first = try await DemoIndicators.load(into: app)
            #expect(first.turns > 100 && first.chats > 20 && first.answers > 20 && first.cases >= 3 && first.calls > 3_000)
            #expect(try await DemoIndicators.load(into: app) == DemoIndicators.Summary())
            let november = try await app.indicatorService().month(try #require(BillingPeriod("2026-11")))
            for indicator in Indicator.allCases {
                #expect(november.figure(indicator)?.value != nil, "noviembre sin \(indicator.rawValue)")
            }
            #expect(november.figures.contains { $0.indicator == .officeWait && $0.dimension == .office("Oficina Bello") })
            let today = try await app.indicatorService().today()
            #expect(today.chatsWaiting == 0 && today.chatsActive == 0 && today.queues[.total]?.waiting == 0)
            #expect(today.figures.first { $0.indicator == .officeWait && $0.dimension == .total }?.value != nil)
            #expect(try await LiveChat.query(on: app.db).filter(\.$requestedAt > manual.now).count() == 0)
            #expect(try await OfficeTurn.query(on: app.db).filter(\.$endedAt > manual.now).count() == 0)
        }
    }
}

extension AppClock.Manual {
    /// Moves the clock to an instant (forward or back) for seeding.
    func set(_ instant: Date) { advance(by: instant.timeIntervalSince(now)) }
}
