import EmaCore
import Fluent
import Foundation
import Vapor

/// The office screen (`/backoffice/turnos`): today's turns of an office, "Llamar siguiente",
/// and the start and end of each attention, with the day's waiting and attention times; turns
/// for walk-ins (`WalkIns.swift`), and the kiosk enabled from here (`TurnKioskController`).
struct OfficeScreenController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let screen = routes.grouped("backoffice", "turnos").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        screen.get(use: show)
        screen.post("llamar", use: call)
        screen.post("sin-cita", use: walkIn)
        screen.post(":code", "avanzar", use: advance)
        screen.post(":code", "ausente", use: absent)
    }

    struct Row: Encodable {
        let code: String
        /// The walk-in's number, or the booked code.
        let number: String
        let slot: String
        let kind: String
        let status: String
        let action: String?
        /// Ending an attention asks whether the need was solved.
        let canEnd: Bool
        let canMarkAbsent: Bool
    }

    struct Page: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let offices: [SelectOption]
        let office: String
        /// The office as a query value (the live page reads itself at `?oficina=`).
        let officeQuery: String
        let rows: [Row]
        let figures: TurnService.DayFigures
        let message: String?
        /// The walk-in's number just given, shown large.
        var issued: String?
        let care: [SelectOption]
    }

    func render(_ request: Request, office: String?, message: String? = nil, issued: String? = nil) async throws -> Response {
        let staff = try request.requireStaff()
        let service = request.application.turnService()
        let chosen = office.flatMap { service.offices.contains($0) ? $0 : nil } ?? ""
        let today = request.application.clock.today.description
        let all = chosen.isEmpty ? [] : try await OfficeTurn.query(on: request.db).filter(\.$office == chosen).filter(\.$day == today)
            .filter(\.$status != .cancelled).sort(\.$slot).sort(\.$createdAt).all()
        // Being attended first, then the waiting in the order they will be called, then the done.
        let turns = all.filter { $0.status == .called || $0.status == .inAttention }
            + TurnService.order(all.filter { $0.status == .reserved }, now: request.application.clock.now())
            + all.filter { $0.status == .attended || $0.status == .absent }
        func kind(_ turn: OfficeTurn) -> String {
            guard turn.walkIn else { return TurnOrigin.booked.title }
            return turn.preferential.flatMap(PreferentialCare.init(rawValue:)).map { "Preferencial: \($0.title.lowercased())" } ?? TurnOrigin.walkIn.title
        }
        let page = Page(
            title: "Turnos", frame: .init(staff),
            offices: service.offices.map { .init(value: $0, label: $0, selected: $0 == chosen) }, office: chosen,
            officeQuery: chosen.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "",
            rows: turns.map {
                Row(code: $0.code, number: $0.shownNumber, slot: $0.slot, kind: kind($0), status: $0.status.title,
                    action: $0.status == .called ? "Iniciar atención" : nil, canEnd: $0.status == .inAttention, canMarkAbsent: $0.status == .called)
            },
            figures: TurnService.figures(turns), message: message, issued: issued,
            care: [SelectOption(value: "", label: "No, atención general", selected: true)] + PreferentialCare.allCases.map { SelectOption(value: $0.rawValue, label: $0.title, selected: false) }
        )
        return try await request.view.render("backoffice/turnos", page).encodeResponse(for: request)
    }

    @Sendable
    func show(request: Request) async throws -> Response {
        try await render(request, office: try? request.query.get(String.self, at: "oficina"))
    }

    struct OfficeForm: Content {
        var oficina: String?
        /// Ending an attention: `si` solved in this visit, `no` not.
        var resuelto: String?
    }

    struct WalkInForm: Content {
        var oficina: String?
        var atencion: String?
        var celular: String?
    }

    /// `POST /backoffice/turnos/sin-cita`: a turn for someone who walked in (at the door or the
    /// information desk), with preferential care when they need it.
    @Sendable
    func walkIn(request: Request) async throws -> Response {
        let form = try request.content.decode(WalkInForm.self)
        let office = form.oficina ?? ""
        let app = request.application
        do {
            let care = form.atencion.flatMap { $0.isEmpty ? nil : PreferentialCare(rawValue: $0) }
            let given = try await app.turnService().walkIn(office: office, preferential: care, phone: form.celular, sms: app.smsOutbox(), utilityName: try request.utility().shortName)
            let ticket = given.turn.ticket ?? given.turn.code
            let sms = given.texted ? " Le enviamos el número por SMS." : (given.turn.phone == nil ? "" : " No pudimos enviar el SMS: dile el número de viva voz.")
            return try await render(request, office: office, message: "Turno \(ticket) entregado. \(TurnKioskController.ahead(given.ahead))\(sms)", issued: ticket)
        } catch let error as TurnError {
            return try await render(request, office: office, message: error.reason)
        }
    }

    @Sendable
    func call(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let office = try request.content.decode(OfficeForm.self).oficina ?? ""
        let called = try await request.application.turnService().callNext(office: office, by: staff.email)
        return try await render(request, office: office, message: called.map { "Llamando el turno \($0.shownNumber) (\($0.walkIn ? "llegó a las" : "reservado para las") \($0.slot))." } ?? "No hay más turnos en espera hoy.")
    }

    @Sendable
    func advance(request: Request) async throws -> Response {
        let form = try request.content.decode(OfficeForm.self)
        let office = form.oficina ?? ""
        do {
            let resolved = form.resuelto.flatMap { ["si": true, "no": false][$0] }
            let turn = try await request.application.turnService().advance(code: request.parameters.get("code") ?? "", office: office, resolved: resolved)
            if turn.status == .attended, let phone = turn.phone {
                try await request.application.surveyInvitations().invite(
                    kind: .oficina, subject: turn.code, phone: phone, office: turn.office,
                    municipality: request.application.utilityProfile?.municipalityOfOffice[turn.office]
                )
            }
            return try await render(request, office: office, message: turn.status == .attended ? "Atención del turno \(turn.shownNumber) terminada." : "Atención del turno \(turn.shownNumber) iniciada.")
        } catch let error as TurnError {
            return try await render(request, office: office, message: error.reason)
        }
    }

    @Sendable
    func absent(request: Request) async throws -> Response {
        let office = try request.content.decode(OfficeForm.self).oficina ?? ""
        do {
            let turn = try await request.application.turnService().markAbsent(code: request.parameters.get("code") ?? "", office: office)
            return try await render(request, office: office, message: "Turno \(turn.shownNumber) marcado como «No asistió». Llama el siguiente.")
        } catch let error as TurnError {
            return try await render(request, office: office, message: error.reason)
        }
    }
}
