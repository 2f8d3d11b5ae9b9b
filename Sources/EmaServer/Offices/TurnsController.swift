import EmaCore
import Foundation
import Vapor

/// `/turnos`: book a turn at an office for one of the next business days, or cancel one.
struct TurnsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("turnos", use: page)
        routes.post("turnos", use: book)
        routes.post("turnos", "cancelar", use: cancel)
        routes.get("turnos", ":file", use: calendar)
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile?
        var offices: [SelectOption] = []
        var days: [SelectOption] = []
        var slots: [SelectOption] = []
        var office = ""
        var day = ""
        var message: String?
        var notice: String?
        var booked: Booked?
        /// A cancellation asked for, waiting for «Sí, cancelar».
        var cancelling: Booked?

        struct Booked: Encodable {
            let code: String
            let office: String
            let address: String
            let day: String
            let slot: String
            /// The turn as a calendar event (`/turnos/T-XXXXXX.ics`).
            let calendar: String

            init(_ turn: OfficeTurn, address: String?) {
                code = turn.code
                office = turn.office
                self.address = address ?? ""
                day = CivilDate(turn.day)?.nameWithWeekday ?? turn.day
                slot = turn.slot
                calendar = "/turnos/\(turn.code).ics"
            }
        }
    }

    func build(_ request: Request, office: String?, day: String?) async throws -> Page {
        let service = request.application.turnService()
        var page = Page(title: "Turnos · \(request.application.utilityProfile?.shortName ?? "Ema")", utility: request.application.utilityProfile)
        let chosenOffice = office.flatMap { service.offices.contains($0) ? $0 : nil }
        let chosenDay = day.flatMap { typed in service.days.map(\.description).contains(typed) ? typed : nil }
        page.offices = service.offices.map { .init(value: $0, label: $0, selected: $0 == chosenOffice) }
        page.days = service.days.map { .init(value: $0.description, label: $0.nameWithWeekday, selected: $0.description == chosenDay) }
        if let chosenOffice, let chosenDay {
            let left = try await service.remaining(office: chosenOffice, day: chosenDay)
            page.slots = TurnService.slots.compactMap { slot in
                guard let count = left[slot], count > 0 else { return nil }
                return .init(value: slot, label: "\(slot) (\(count == 1 ? "queda 1 cupo" : "quedan \(count) cupos"))", selected: false)
            }
            page.office = chosenOffice
            page.day = chosenDay
            if page.slots.isEmpty { page.notice = "Ese día ya no quedan cupos en \(chosenOffice). Elige otro día u otra oficina." }
        }
        return page
    }

    func render(_ request: Request, _ page: Page, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await request.privatePage("turnos", page, status: status)
    }

    @Sendable
    func page(request: Request) async throws -> Response {
        try await render(request, try await build(request, office: try? request.query.get(String.self, at: "oficina"), day: try? request.query.get(String.self, at: "dia")))
    }

    struct BookForm: Content { var oficina: String?; var dia: String?; var hora: String?; var celular: String?; var codigo: String? }

    @Sendable
    func book(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(BookForm.self)) ?? BookForm()
        do {
            let turn = try await request.application.turnService().book(office: form.oficina ?? "", day: form.dia ?? "", slot: form.hora ?? "", phone: form.celular)
            var page = try await build(request, office: nil, day: nil)
            page.booked = .init(turn, address: Self.address(of: turn.office, request))
            if turn.alreadyHeld {
                page.notice = "Ese celular ya tenía este turno en esta oficina ese día. Si prefieres otra hora, cancélalo con su código y pide otro."
                return try await render(request, page)
            }
            return try await render(request, page, status: .created)
        } catch let error as TurnError {
            var page = try await build(request, office: form.oficina, day: form.dia)
            page.message = error.reason
            return try await render(request, page, status: error.status)
        }
    }

    struct CancelForm: Content { var codigo: String?; var confirmo: String? }

    /// Cancelling asks first: the turn's office, day and hour, then «Sí, cancelar».
    @Sendable
    func cancel(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(CancelForm.self)) ?? CancelForm()
        var page = try await build(request, office: nil, day: nil)
        let service = request.application.turnService()
        do {
            guard form.confirmo == "si" else {
                guard let turn = try await service.waiting(code: form.codigo ?? "") else { throw TurnError.notFound }
                page.cancelling = .init(turn, address: Self.address(of: turn.office, request))
                return try await render(request, page)
            }
            let turn = try await service.cancel(code: form.codigo ?? "")
            page.notice = "Cancelamos tu turno \(turn.code) del \(CivilDate(turn.day)?.nameWithWeekday ?? turn.day) a las \(turn.slot) en \(turn.office). Puedes pedir otro cuando quieras."
            return try await render(request, page)
        } catch let error as TurnError {
            page.message = error.reason
            return try await render(request, page, status: error.status)
        }
    }

    static func address(of office: String, _ request: Request) -> String? {
        request.application.utilityProfile?.offices.first { $0.name == office }.map { "\($0.address), \($0.municipality)" }
    }

    /// `GET /turnos/T-XXXXXX.ics`: the waiting turn as an event for the phone's calendar.
    @Sendable
    func calendar(request: Request) async throws -> Response {
        let file = request.parameters.get("file") ?? ""
        guard file.hasSuffix(".ics"), let turn = try await request.application.turnService().waiting(code: String(file.dropLast(4))),
              let start = turn.slotStart
        else { throw TurnError.notFound }
        let event = TurnCalendar.event(turn, start: start, address: Self.address(of: turn.office, request) ?? turn.office,
                                       utility: request.application.utilityProfile?.shortName ?? "Ema",
                                       cancelURL: "\(request.application.emaConfig.publicURL)/turnos")
        let response = Response(status: .ok, body: .init(string: event))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "turno-\(turn.code).ics")
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}
