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
            #expect(outcomes.filter { $0 }.count == service.capacity)
            #expect(try await OfficeTurn.query(on: app.db).filter(\.$status == "reservado").count() == service.capacity)
            let left = try await service.remaining(office: office, day: day)
            #expect(left["09:00"] == 0 && left["09:30"] == service.capacity)
        }
    }

    @Test("A cancelled turn frees its place for another booking; bad choices are explained")
    func cancelAndRebook() async throws {
        try await withEmaApp { app in
            var service = app.turnService()
            service.capacity = 1
            let office = try #require(service.offices.first)
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
            #expect(page.contains(#"<option value="08:00">08:00 (quedan 4 cupos)</option>"#))
            try await app.testing().test(.POST, "turnos", beforeRequest: { try $0.content.encode(["oficina": office, "dia": day, "hora": "08:00"], as: .urlEncodedForm) }) { response in
                #expect(response.status == .created && response.body.string.contains(#"id="turno-codigo">T-"#))
            }
            try await app.testing().test(.GET, query) { page = $0.body.string }
            #expect(page.contains("08:00 (quedan 3 cupos)"))
            try await app.testing().test(.POST, "turnos/cancelar", beforeRequest: { try $0.content.encode(["codigo": "T-NOEXIS"], as: .urlEncodedForm) }) { response in
                #expect(response.status == .notFound && response.body.string.contains("No encontramos un turno activo"))
            }
        }
    }
}
