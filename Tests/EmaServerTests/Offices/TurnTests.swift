@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Turns at offices: capacity, cancel and re-book")
struct TurnTests {
    @Test("Concurrent bookings of one slot never pass its capacity")
    func capacity() async throws {
        try await withEmaApp { app in
            let service = app.turnService()
            let office = try #require(service.offices.first)
            let day = try #require(service.days.first).description
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do { _ = try await service.book(office: office, day: day, slot: "09:00", phone: nil); return true } catch TurnError.full { return false }
                    }
                }
                var results: [Bool] = []
                for try await result in group { results.append(result) }
                return results
            }
            // The data file gives the first office 8 places per half hour.
            #expect(service.capacity(of: office) == 8 && service.capacity(of: "Oficina Bello") == TurnService.defaultCapacity)
            #expect(outcomes.filter { $0 }.count == 8)
            #expect(try await OfficeTurn.query(on: app.db).filter(\.$status == .reserved).count() == 8)
            let left = try await service.remaining(office: office, day: day)
            #expect(left["09:00"] == 0 && left["09:30"] == 8)
        }
    }

    @Test("A cancelled turn frees its place for another booking; bad choices are explained")
    func cancelAndRebook() async throws {
        try await withEmaApp { app in
            var service = app.turnService()
            let office = try #require(service.offices.first)
            service.capacities[office] = 1
            let day = try #require(service.days.first).description
            let first = try await service.book(office: office, day: day, slot: "10:00", phone: "3001234567")
            #expect(first.code.hasPrefix("T-") && first.phone == "+573001234567")
            await #expect(throws: TurnError.full) { _ = try await service.book(office: office, day: day, slot: "10:00", phone: nil) }
            _ = try await service.cancel(code: first.code.lowercased())
            await #expect(throws: TurnError.notFound) { _ = try await service.cancel(code: first.code) }
            let second = try await service.book(office: office, day: day, slot: "10:00", phone: nil)
            #expect(second.code != first.code)
            await #expect(throws: TurnError.unknownOffice) { _ = try await service.book(office: "Oficina Inventada", day: day, slot: "10:00", phone: nil) }
            let today = CivilDate(bogotaAt: app.clock.now().timeIntervalSince1970).description
            await #expect(throws: TurnError.unknownSlot) { _ = try await service.book(office: office, day: today, slot: "10:00", phone: nil) }
            await #expect(throws: TurnError.unknownSlot) { _ = try await service.book(office: office, day: day, slot: "10:15", phone: nil) }
            #expect(service.days.allSatisfy { ColombianCalendar().isBusinessDay($0) })
        }
    }

    @Test("/turnos books through the page and shows only slots with places")
    func page() async throws {
        try await withEmaApp { app in
            let service = app.turnService()
            let office = try #require(service.offices.first)
            let day = try #require(service.days.first).description
            let query = "turnos?oficina=\(office.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&dia=\(day)"
            var page = ""
            try await app.testing().test(.GET, query) { page = $0.body.string }
            #expect(page.contains(#"<option value="08:00">08:00 (quedan 8 cupos)</option>"#))
            var code = ""
            try await app.testing().test(.POST, "turnos", beforeRequest: { try $0.content.encode(["oficina": office, "dia": day, "hora": "08:00"], as: .urlEncodedForm) }) { response in
                #expect(response.status == .created && response.body.string.contains(#"id="turno-codigo">T-"#))
                code = String(response.body.string.split(separator: #"id="turno-codigo">"#)[1].prefix(8))
            }
            // The turn as a calendar event: its office's address, the half hour in UTC, an alarm.
            try await app.testing().test(.GET, "turnos/\(code).ics") { response in
                let event = response.body.string
                #expect(response.status == .ok && response.headers.contentType?.subType == "calendar")
                #expect(event.hasPrefix("BEGIN:VCALENDAR\r\n") && event.contains("UID:\(code)@turnos.ema") && event.contains("TRIGGER:-PT1H"))
                #expect(event.contains("DTSTART:\(day.replacingOccurrences(of: "-", with: ""))T130000Z"))
                #expect(event.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
            }
            try await app.testing().test(.GET, "turnos/T-NOEXIS.ics") { response in #expect(response.status == .notFound) }
            // Cancelling asks first, and only «Sí, cancelar» frees the place.
            try await app.testing().test(.POST, "turnos/cancelar", beforeRequest: { try $0.content.encode(["codigo": code], as: .urlEncodedForm) }) { response in
                #expect(response.status == .ok && response.body.string.contains("¿Cancelar este turno?") && response.body.string.contains(#"name="confirmo" value="si""#))
            }
            #expect(try await service.waiting(code: code) != nil)
            try await app.testing().test(.GET, query) { page = $0.body.string }
            #expect(page.contains("08:00 (quedan 7 cupos)"))
            try await app.testing().test(.POST, "turnos/cancelar", beforeRequest: { try $0.content.encode(["codigo": "T-NOEXIS"], as: .urlEncodedForm) }) { response in
                #expect(response.status == .notFound && response.body.string.contains("No encontramos un turno activo"))
            }
        }
    }

    @Test("The office screen calls the next turn once, times the attention, and gives the day's averages")
    func officeScreen() async throws {
        let manual = AppClock.Manual(bogotaNoon("2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let service = app.turnService()
            let office = "Oficina Bello"
            let first = try await service.book(office: office, day: "2026-12-03", slot: "09:00", phone: nil)
            let second = try await service.book(office: office, day: "2026-12-03", slot: "09:30", phone: nil)
            // Thursday 3 December, 9:10 a. m. in Bogotá.
            manual.advance(by: 21 * 3_600 + 10 * 60)
            async let a = service.callNext(office: office, by: "agente@ema.demo")
            async let b = service.callNext(office: office, by: "supervisor@ema.demo")
            let (one, two) = try await (a, b)
            #expect(Set([one?.code, two?.code].compactMap { $0 }) == [first.code, second.code])
            #expect(try await service.callNext(office: office, by: "agente@ema.demo") == nil)

            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            let screen = try await agent.get("backoffice/turnos?oficina=Oficina%20Bello")
            #expect(screen.status == .ok && screen.body.contains(first.code) && screen.body.contains("Iniciar atención"))
            let started = try await agent.post("backoffice/turnos/\(first.code)/avanzar", ["csrf": agent.csrf, "oficina": office])
            #expect(started.body.contains("Atención del turno \(first.code) iniciada"))
            manual.advance(by: 12 * 60)
            let ended = try await agent.post("backoffice/turnos/\(first.code)/avanzar", ["csrf": agent.csrf, "oficina": office])
            #expect(ended.body.contains("terminada") && ended.body.contains("Atendidos hoy: 1"))
            let turns = try await OfficeTurn.query(on: app.db).filter(\.$office == office).all()
            #expect(TurnService.figures(turns) == .init(attended: 1, absent: 0, booked: 1, averageWaitMinutes: 10, averageAttentionMinutes: 12))
            let again = try await agent.post("backoffice/turnos/\(first.code)/avanzar", ["csrf": agent.csrf, "oficina": office])
            #expect(again.body.contains("No encontramos un turno activo"))
            // The second customer was called and did not come: out of the queue and the averages.
            #expect(try await agent.post("backoffice/turnos/\(first.code)/ausente", ["csrf": agent.csrf, "oficina": office]).body.contains("No encontramos un turno activo"))
            let absent = try await agent.post("backoffice/turnos/\(second.code)/ausente", ["csrf": agent.csrf, "oficina": office])
            #expect(absent.body.contains("Turno \(second.code) marcado como «No asistió»") && absent.body.contains("no asistieron: 1"))
            let day = try await OfficeTurn.query(on: app.db).filter(\.$office == office).all()
            #expect(TurnService.figures(day) == .init(attended: 1, absent: 1, booked: 1, averageWaitMinutes: 10, averageAttentionMinutes: 12))
            let officer = try OfficeBrowser(app)
            try await officer.signIn("transparencia@ema.demo", "transparencia-demo-2026")
            #expect(try await officer.get("backoffice/turnos").status == .forbidden)
        }
    }

    @Test("Ema books a real place on WhatsApp, with the sender's number, and cancels it by its code")
    func bookWithEma() async throws {
        try await WhatsAppWebhookTests().withWhatsApp { app in
            let hooks = WhatsAppWebhookTests()
            let service = app.turnService()
            let day = try #require(service.days.first).description
            for step in [Webhook.text("hola"), Webhook.button("consentimiento_si"), Webhook.text("quiero pedir un turno en la oficina bello"),
                         Webhook.button("turno_dia:\(day)"), Webhook.button("turno_parte:manana"), Webhook.button("turno_hora:09:30")] {
                #expect(try await hooks.post(app, step) == .ok)
                try await drainJobs(app)
            }
            let turn = try #require(try await OfficeTurn.query(on: app.db).first())
            #expect(turn.office == "Oficina Bello" && turn.day == day && turn.slot == "09:30" && turn.status == .reserved && turn.phone == "+573001234567")
            #expect(try await service.remaining(office: "Oficina Bello", day: day)["09:30"] == TurnService.defaultCapacity - 1)
            #expect(try await hooks.sandbox(app).contains { $0.contains("tu turno es el \(turn.code)") && $0.contains("9:30 a. m.") })
            for step in [Webhook.text("cancelar turno"), Webhook.text(turn.code), Webhook.button("turno_cancelar_si")] {
                #expect(try await hooks.post(app, step) == .ok)
                try await drainJobs(app)
            }
            #expect(try await OfficeTurn.find(turn.id, on: app.db)?.status == .cancelled)
            #expect(try await service.remaining(office: "Oficina Bello", day: day)["09:30"] == TurnService.defaultCapacity)
        }
    }

    @Test("One mobile holds one waiting turn per office and day: booking again, even twice at once, gives the same turn and takes no other place")
    func oneTurnPerMobile() async throws {
        try await withEmaApp { app in
            let service = app.turnService()
            let office = try #require(service.offices.first)
            let day = try #require(service.days.first).description
            async let a = service.book(office: office, day: day, slot: "09:00", phone: "300 123 4567")
            async let b = service.book(office: office, day: day, slot: "09:00", phone: "3001234567")
            let (first, second) = try await (a, b)
            #expect(first.code == second.code)
            #expect(first.alreadyHeld != second.alreadyHeld)
            let other = try await service.book(office: office, day: day, slot: "11:30", phone: "+573001234567")
            #expect(other.code == first.code && other.slot == "09:00" && other.alreadyHeld)
            #expect(try await OfficeTurn.query(on: app.db).filter(\.$phone == "+573001234567").count() == 1)
            let left = try await service.remaining(office: office, day: day)
            #expect(left["09:00"] == service.capacity(of: office) - 1 && left["11:30"] == service.capacity(of: office))
            // Another day, or once cancelled, it books again.
            let nextDay = try #require(service.days.dropFirst().first).description
            #expect(try await service.book(office: office, day: nextDay, slot: "09:00", phone: "3001234567").alreadyHeld == false)
            _ = try await service.cancel(code: first.code)
            #expect(try await service.book(office: office, day: day, slot: "09:00", phone: "3001234567").alreadyHeld == false)
        }
    }
}
