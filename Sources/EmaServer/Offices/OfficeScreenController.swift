import EmaCore
import Fluent
import Foundation
import Vapor

/// The office screen (`/backoffice/turnos`): today's turns of an office, "Llamar siguiente",
/// and the start and end of each attention, with the day's waiting and attention times.
struct OfficeScreenController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let screen = routes.grouped("backoffice", "turnos").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        screen.get(use: show)
        screen.post("llamar", use: call)
        screen.post(":code", "avanzar", use: advance)
        screen.post(":code", "ausente", use: absent)
    }

    struct Row: Encodable { let code: String; let slot: String; let status: String; let action: String?; let canMarkAbsent: Bool }

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
    }

    func render(_ request: Request, office: String?, message: String? = nil) async throws -> Response {
        let staff = try request.requireStaff()
        let service = request.application.turnService()
        let chosen = office.flatMap { service.offices.contains($0) ? $0 : nil } ?? ""
        let today = request.application.clock.today.description
        let turns = chosen.isEmpty ? [] : try await OfficeTurn.query(on: request.db).filter(\.$office == chosen).filter(\.$day == today)
            .filter(\.$status != .cancelled).sort(\.$slot).sort(\.$createdAt).all()
        let actions: [TurnStatus: String] = [.called: "Iniciar atención", .inAttention: "Terminar atención"]
        let page = Page(
            title: "Turnos", frame: .init(staff),
            offices: service.offices.map { .init(value: $0, label: $0, selected: $0 == chosen) }, office: chosen,
            officeQuery: chosen.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "",
            rows: turns.map { Row(code: $0.code, slot: $0.slot, status: $0.status.title, action: actions[$0.status], canMarkAbsent: $0.status == .called) },
            figures: TurnService.figures(turns), message: message
        )
        return try await request.view.render("backoffice/turnos", page).encodeResponse(for: request)
    }

    @Sendable
    func show(request: Request) async throws -> Response {
        try await render(request, office: try? request.query.get(String.self, at: "oficina"))
    }

    struct OfficeForm: Content { var oficina: String? }

    @Sendable
    func call(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let office = try request.content.decode(OfficeForm.self).oficina ?? ""
        let called = try await request.application.turnService().callNext(office: office, by: staff.email)
        return try await render(request, office: office, message: called.map { "Llamando el turno \($0.code) (\($0.slot))." } ?? "No hay más turnos en espera hoy.")
    }

    @Sendable
    func advance(request: Request) async throws -> Response {
        let office = try request.content.decode(OfficeForm.self).oficina ?? ""
        do {
            let turn = try await request.application.turnService().advance(code: request.parameters.get("code") ?? "", office: office)
            if turn.status == .attended, let phone = turn.phone {
                try await request.application.surveyInvitations().invite(
                    kind: .oficina, subject: turn.code, phone: phone, office: turn.office,
                    municipality: request.application.utilityProfile?.municipalityOfOffice[turn.office]
                )
            }
            return try await render(request, office: office, message: turn.status == .attended ? "Atención del turno \(turn.code) terminada." : "Atención del turno \(turn.code) iniciada.")
        } catch let error as TurnError {
            return try await render(request, office: office, message: error.reason)
        }
    }

    @Sendable
    func absent(request: Request) async throws -> Response {
        let office = try request.content.decode(OfficeForm.self).oficina ?? ""
        do {
            let turn = try await request.application.turnService().markAbsent(code: request.parameters.get("code") ?? "", office: office)
            return try await render(request, office: office, message: "Turno \(turn.code) marcado como «No asistió». Llama el siguiente.")
        } catch let error as TurnError {
            return try await render(request, office: office, message: error.reason)
        }
    }
}
