import EmaCore
import Foundation
import Vapor

/// `/backoffice/reestructuraciones` (care roles): the SOMOS restructurings, newest first, and
/// «Cancelar» with a reason (audited).
struct BackOfficeSomosController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let desk = routes.grouped("backoffice", "reestructuraciones").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        desk.get(use: list)
        desk.post(":number", "cancelar", use: cancel)
    }

    struct Page: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let rows: [Row]
        let message: String?

        struct Row: Encodable {
            let number: String
            let card: String
            let status: String
            let statusTitle: String
            let plan: String
            let acceptedAt: String
            let reason: String?
            let cancellable: Bool
        }
    }

    @Sendable
    func list(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let rows = try await SomosRestructurings.latest(on: request.db).map { row in
            Page.Row(number: row.number, card: "SOMOS ···· \(row.last4)", status: row.status,
                     statusTitle: SomosRestructurings.Status(rawValue: row.status)?.title ?? row.status,
                     plan: "\(Money.format(cop: row.balance_cop)): abono \(Money.format(cop: row.abono_cop)) + \(row.instalments) × \(Money.format(cop: row.instalment_cop))",
                     acceptedAt: SpanishDateTime.format(row.accepted_at), reason: row.reason, cancellable: row.status != SomosRestructurings.Status.cancelled.rawValue)
        }
        let message: String? = switch request.query[String.self, at: "aviso"] {
        case "cancelada": "Reestructuración cancelada."
        case "motivo": "Escribe el motivo de la cancelación (al menos 5 caracteres)."
        default: nil
        }
        return try await request.view.render("backoffice/reestructuraciones", Page(title: "Reestructuraciones SOMOS", frame: .init(staff), rows: rows, message: message))
    }

    struct CancelForm: Content { var motivo: String? }

    @Sendable
    func cancel(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let number = request.parameters.get("number") ?? ""
        let reason = ((try? request.content.decode(CancelForm.self))?.motivo ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 5 else { return request.redirect(to: "/backoffice/reestructuraciones?aviso=motivo", redirectType: .normal) }
        let application = request.application
        let now = application.clock.now()
        do {
            try await request.db.writeTransaction { tx in
                try await SomosRestructurings.cancel(number: number, reason: String(reason.prefix(300)), now: now, on: tx)
                try await application.staffService(database: tx).audit(staff.accountID, email: staff.email, "reestructuracion_cancelada",
                                                                       subject: number, detail: String(reason.prefix(300)))
            }
        } catch SomosRestructurings.Failure.notFound {
            throw Abort(.notFound, reason: "No encontramos esa reestructuración.")
        } catch SomosRestructurings.Failure.notCancellable {
            throw Abort(.conflict, reason: "Esa reestructuración ya estaba cancelada.")
        }
        return request.redirect(to: "/backoffice/reestructuraciones?aviso=cancelada", redirectType: .normal)
    }
}
