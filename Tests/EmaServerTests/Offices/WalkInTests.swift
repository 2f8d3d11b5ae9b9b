@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Walk-ins: turns given at the office, preferential care first, the kiosk, every turn counted")
struct WalkInTests {
    static let office = "Oficina Bello"

    /// 2 December 2026 at `hour:minute` in Bogotá.
    static func at(_ hour: Int, _ minute: Int = 0) -> Date {
        CivilDate("2026-12-02")!.startInBogota.addingTimeInterval(Double(hour * 3_600 + minute * 60))
    }

    /// A booked turn for today (booking only takes the coming days, so it is written directly).
    static func booked(_ app: Application, _ code: String, slot: String) async throws {
        let turn = OfficeTurn()
        turn.code = code
        turn.office = office
        turn.day = "2026-12-02"
        turn.slot = slot
        turn.status = .reserved
        turn.createdAt = at(7)
        try await turn.create(on: app.db)
    }

    @Test("Numbers per letter and day; preferential walk-ins called first, then whoever's time has come by arrival or slot, later bookings last; the SMS leaves with the turn")
    func order() async throws {
        let manual = AppClock.Manual(Self.at(9, 40))
        try await withEmaApp(clock: manual.clock) { app in
            let service = app.turnService()
            let sms = app.smsOutbox()
            try await Self.booked(app, "T-LATER1", slot: "11:00")
            try await Self.booked(app, "T-DUE001", slot: "09:30")
            manual.set(Self.at(9, 45))
            let general = try await service.walkIn(office: Self.office, preferential: nil, phone: "300 123 4567", sms: sms, utilityName: "EPM")
            #expect(general.turn.ticket == "G-001" && general.turn.slot == "09:45" && general.texted && general.ahead == 1)
            manual.set(Self.at(9, 55))
            let older = try await service.walkIn(office: Self.office, preferential: .olderAdult, phone: nil, sms: sms, utilityName: "EPM")
            #expect(older.turn.ticket == "P-001" && older.ahead == 0 && !older.texted)
            let second = try await service.walkIn(office: Self.office, preferential: nil, phone: nil, sms: sms, utilityName: "EPM")
            #expect(second.turn.ticket == "G-002" && second.ahead == 3)
            // A bad number gives no turn and spends no number.
            await #expect(throws: TurnError.invalidPhone) { try await service.walkIn(office: Self.office, preferential: nil, phone: "12345", sms: sms, utilityName: "EPM") }
            await #expect(throws: TurnError.unknownOffice) { try await service.walkIn(office: "Oficina Marte", preferential: nil, phone: nil, sms: sms, utilityName: "EPM") }
            #expect(try await service.walkIn(office: Self.office, preferential: .pregnant, phone: nil, sms: sms, utilityName: "EPM").turn.ticket == "P-002")

            var called: [String] = []
            while let next = try await service.callNext(office: Self.office, by: "agente@ema.demo") { called.append(next.shownNumber) }
            #expect(called == ["P-001", "P-002", "T-DUE001", "G-001", "G-002", "T-LATER1"])

            // The SMS: queued with the turn, sent by the outbox with the number and who is ahead.
            try await drainJobs(app)
            let message = try #require(try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").filter(\.$recipient == "+573001234567").first())
            #expect(message.body.contains("EPM: tu turno en Oficina Bello es el G-001") && message.body.contains("Hay 1 persona antes que tú"))
            // Tomorrow the numbers start again.
            manual.set(CivilDate("2026-12-03")!.startInBogota.addingTimeInterval(8 * 3_600))
            #expect(try await service.walkIn(office: Self.office, preferential: nil, phone: nil, sms: sms, utilityName: "EPM").turn.ticket == "G-001")
        }
    }

    @Test("Two screens giving numbers at once never give the same one")
    func concurrentNumbers() async throws {
        try await withEmaApp { app in
            let service = app.turnService()
            let tickets = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await service.walkIn(office: Self.office, preferential: nil, phone: nil, sms: nil, utilityName: "EPM").turn.ticket ?? "" }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(tickets) == Set((1...10).map { String(format: "G-%03d", $0) }))
        }
    }

    @Test("On the office screen: a walk-in is given a number, called, attended and ended as solved; the day counts booked and walk-in turns, the walk-in waiting from arrival")
    func officeScreen() async throws {
        let manual = AppClock.Manual(Self.at(10))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            try await Self.booked(app, "T-BOOKED", slot: "09:30")
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            _ = try await agent.get("backoffice/turnos?oficina=Oficina%20Bello")
            let given = try await agent.post("backoffice/turnos/sin-cita", ["csrf": agent.csrf, "oficina": Self.office, "atencion": "discapacidad", "celular": ""])
            #expect(given.body.contains("Turno P-001 entregado. Sigues tú.") && given.body.contains(#"id="numero-entregado">P-001<"#))
            #expect(given.body.contains("Preferencial: persona con discapacidad"))
            let wrong = try await agent.post("backoffice/turnos/sin-cita", ["csrf": agent.csrf, "oficina": Self.office, "atencion": "", "celular": "99"])
            #expect(wrong.body.contains("El celular debe ser un número colombiano"))
            #expect(try await OfficeTurn.query(on: app.db).filter(\.$walkIn == true).count() == 1)

            manual.set(Self.at(10, 6))
            let call = try await agent.post("backoffice/turnos/llamar", ["csrf": agent.csrf, "oficina": Self.office])
            #expect(call.body.contains("Llamando el turno P-001 (llegó a las 10:00)"))
            let turn = try #require(try await OfficeTurn.query(on: app.db).filter(\.$ticket == "P-001").first())
            _ = try await agent.post("backoffice/turnos/\(turn.code)/avanzar", ["csrf": agent.csrf, "oficina": Self.office])
            manual.set(Self.at(10, 16))
            let ended = try await agent.post("backoffice/turnos/\(turn.code)/avanzar", ["csrf": agent.csrf, "oficina": Self.office, "resuelto": "si"])
            #expect(ended.body.contains("Atención del turno P-001 terminada") && ended.body.contains("Atendidos hoy: 1 (0 con turno reservado, 1 sin cita)"))
            #expect(try await OfficeTurn.find(turn.id, on: app.db)?.resolved == true)
            // The booked turn, called at 10:16 for 09:30: waited 46 minutes; ended without a verdict.
            let booked = try #require(try await app.turnService().callNext(office: Self.office, by: "agente@ema.demo"))
            _ = try await app.turnService().advance(code: booked.code, office: Self.office)
            manual.set(Self.at(10, 20))
            _ = try await app.turnService().advance(code: booked.code, office: Self.office, resolved: false)
            let day = try await OfficeTurn.query(on: app.db).all()
            // Waits 6 (walk-in, from arrival) and 46 (booked, from the slot): 26; attention 10 and 4: 7.
            #expect(TurnService.figures(day) == .init(attended: 2, absent: 0, booked: 1, walkIns: 1, averageWaitMinutes: 26, averageAttentionMinutes: 7))

            // The month's indicators count both, each by its kind; first contact by office visits.
            let figures = try await app.indicatorService().month(BillingPeriod("2026-12")!)
            #expect(figures.figure(.officeWait)?.value == 26 && figures.figure(.officeWait)?.cases == 2)
            #expect(figures.figure(.officeWait, .origin("preferencial"))?.value == 6 && figures.figure(.officeWait, .origin("reservado"))?.value == 46)
            #expect(figures.figure(.firstContactResolution, .channel("oficina")) == Figure(indicator: .firstContactResolution, dimension: .channel("oficina"), value: 50, cases: 2))
        }
    }

    @Test("The kiosk serves only a device the office enabled: a signed cookie for that office; forged or missing, no turn; a kiosk gives at most 60 turns in 10 minutes")
    func kiosk() async throws {
        let manual = AppClock.Manual(Self.at(10))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let tester = try app.testing()
            try await tester.test(.GET, "kiosco/turno") { response in
                #expect(response.status == .forbidden && response.body.string.contains("no está habilitado como quiosco de turnos"))
            }
            try await tester.test(.POST, "kiosco/turno", beforeRequest: { try $0.content.encode(["atencion": ""], as: .urlEncodedForm) }) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try await OfficeTurn.query(on: app.db).count() == 0)

            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            _ = try await agent.get("backoffice/turnos?oficina=Oficina%20Bello")
            let enabled = try await agent.post("backoffice/turnos/quiosco", ["csrf": agent.csrf, "oficina": Self.office])
            #expect(enabled.status == .seeOther && enabled.location == "/kiosco/turno")
            let cookie = try #require(agent.lastSetCookies?[TurnKioskController.cookie])
            #expect(cookie.isHTTPOnly && cookie.sameSite == .strict && cookie.path == "/kiosco")
            let headers: HTTPHeaders = ["Cookie": "\(TurnKioskController.cookie)=\(cookie.string)"]
            try await tester.test(.GET, "kiosco/turno", headers: headers) { response in
                #expect(response.status == .ok && response.body.string.contains("Estás en <strong>Oficina Bello</strong>"))
            }
            try await tester.test(.POST, "kiosco/turno", headers: headers, beforeRequest: { try $0.content.encode(["atencion": "embarazo", "celular": "3001234567"], as: .urlEncodedForm) }) { response in
                let page = response.body.string
                #expect(response.status == .ok && page.contains(#"id="numero-turno">P-001<"#) && page.contains("Sigues tú.") && page.contains("También te lo enviamos por mensaje de texto"))
            }
            // The same signature on another office's name, or a tampered one, is refused.
            let parts = cookie.string.split(separator: ".")
            let moved = TurnKioskController.hex(Data("Oficina Miguel de Aguinaga".utf8)) + "." + parts[1] + "." + parts[2]
            for forged in [moved, cookie.string.dropLast() + (cookie.string.hasSuffix("0") ? "1" : "0"), "basura"] {
                try await tester.test(.POST, "kiosco/turno", headers: ["Cookie": "\(TurnKioskController.cookie)=\(forged)"], beforeRequest: { try $0.content.encode(["atencion": ""], as: .urlEncodedForm) }) { response in
                    #expect(response.status == .forbidden)
                }
            }
            #expect(try await OfficeTurn.query(on: app.db).count() == 1)
            // The hall's screen: numbers only, the next to be called, then the one called.
            try await tester.test(.GET, "kiosco/sala") { #expect($0.status == .forbidden) }
            try await tester.test(.GET, "kiosco/sala", headers: headers) { response in
                let page = response.body.string
                #expect(response.status == .ok && page.contains(#"<ul class="sala-siguen" id="siguen"><li>P-001</li></ul>"#))
                #expect(page.contains("En este momento no estamos llamando a nadie") && !page.contains("3001234567") && !page.contains("300 123"))
            }
            _ = try await app.turnService().callNext(office: Self.office, by: "agente@ema.demo")
            try await tester.test(.GET, "kiosco/sala", headers: headers) { response in
                #expect(response.body.string.contains(#"<ul class="sala-llamando" id="llamando" aria-live="polite"><li>P-001</li></ul>"#))
                #expect(response.body.string.contains("No hay nadie en espera"))
            }
            // Agents of another role's page cannot enable kiosks without a session.
            try await tester.test(.POST, "backoffice/turnos/quiosco", beforeRequest: { try $0.content.encode(["oficina": Self.office], as: .urlEncodedForm) }) { response in
                #expect(response.headers.setCookie?[TurnKioskController.cookie] == nil)
            }
            // A booked turn shows on the hall's screen by its time, never by the code that cancels it.
            try await Self.booked(app, "T-SECRET", slot: "16:30")
            try await tester.test(.GET, "kiosco/sala", headers: headers) { response in
                #expect(response.body.string.contains("<li>Cita 16:30</li>") && !response.body.string.contains("T-SECRET"))
            }
            // A mobile gets 3 numbers by SMS an hour from the kiosk; the fourth turn is on screen only.
            for expected in [true, true, false] {
                try await tester.test(.POST, "kiosco/turno", headers: headers, beforeRequest: { try $0.content.encode(["atencion": "", "celular": "3001234567"], as: .urlEncodedForm) }) { response in
                    let page = response.body.string
                    #expect(response.status == .ok && page.contains("También te lo enviamos por mensaje de texto") == expected)
                    #expect(page.contains("ya recibió varios turnos por mensaje") == !expected)
                }
            }
            // A form posted from another site is refused.
            try await tester.test(.POST, "kiosco/turno", headers: ["Cookie": "\(TurnKioskController.cookie)=\(cookie.string)", "Sec-Fetch-Site": "cross-site"], beforeRequest: { try $0.content.encode(["atencion": ""], as: .urlEncodedForm) }) { response in
                #expect(response.status != .ok)
            }
            let given = try await OfficeTurn.query(on: app.db).filter(\.$walkIn == true).count()
            // The limit: 60 turns in 10 minutes per kiosk's office, then the desk.
            for _ in given..<60 {
                _ = try await app.rateLimits.take(TurnKioskController.turns, Self.office)
            }
            try await tester.test(.POST, "kiosco/turno", headers: headers, beforeRequest: { try $0.content.encode(["atencion": ""], as: .urlEncodedForm) }) { response in
                #expect(response.status == .badRequest && response.body.string.contains("ventanilla de información"))
            }
            #expect(try await OfficeTurn.query(on: app.db).filter(\.$walkIn == true).count() == given)

            // Turned off: a supervisor disables the office's kiosks; the device gives nothing until enabled again.
            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            _ = try await supervisor.get("backoffice/turnos?oficina=Oficina%20Bello")
            #expect(try await agent.post("backoffice/turnos/quiosco/desactivar", ["csrf": agent.csrf, "oficina": Self.office]).status == .forbidden)
            let off = try await supervisor.post("backoffice/turnos/quiosco/desactivar", ["csrf": supervisor.csrf, "oficina": Self.office])
            #expect(off.body.contains("Desactivamos los quioscos de turnos de Oficina Bello"))
            try await tester.test(.GET, "kiosco/turno", headers: headers) { #expect($0.status == .forbidden) }
            manual.advance(by: 1)
            _ = try await supervisor.post("backoffice/turnos/quiosco", ["csrf": supervisor.csrf, "oficina": Self.office])
            let again = try #require(supervisor.lastSetCookies?[TurnKioskController.cookie])
            try await tester.test(.GET, "kiosco/turno", headers: ["Cookie": "\(TurnKioskController.cookie)=\(again.string)"]) { #expect($0.status == .ok) }
            // And a cookie past its 400 days is refused too.
            manual.advance(by: TurnKioskController.lifetime + 1)
            try await tester.test(.GET, "kiosco/turno", headers: ["Cookie": "\(TurnKioskController.cookie)=\(again.string)"]) { #expect($0.status == .forbidden) }
            #expect(try await StaffAuditEntry.query(on: app.db).filter(\.$action == "quiosco_activado").count() == 2)
        }
    }
}
