import EmaCore
import Fluent
import Foundation
import Vapor

/// `/backoffice/datos` (administrador): the holders' requests with their legal terms, the
/// consent ledger of a number, and each request's page to mark, extend and answer it.
struct BackOfficeDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let desk = routes.grouped("backoffice", "datos").grouped(StaffAuthMiddleware(.administrador))
        desk.get(use: list)
        desk.get(":code", use: show)
        desk.post(":code", "tramite", use: markInProcess)
        desk.post(":code", "prorroga", use: extend)
        desk.post(":code", "responder", use: answer)
    }

    struct Row: Encodable {
        let code: String
        let right: String
        let kind: String
        let channel: String
        let phone: String
        let receivedOn: String
        let dueOn: String
        let status: String
        let inProcessDue: String?
        let late: Bool

        init(_ row: DataRequest, today: CivilDate) {
            code = row.code
            right = row.rightTitle
            kind = row.kind
            channel = ["web": "Web", "whatsapp": "WhatsApp", "kiosk": "Kiosco"][row.channel] ?? row.channel
            phone = row.phoneMasked
            receivedOn = CivilDate(row.receivedOn)?.displayName ?? row.receivedOn
            let due = row.extendedDueOn ?? row.dueOn
            dueOn = CivilDate(due)?.displayName ?? due
            status = row.statusTitle
            inProcessDue = row.status == .received ? row.inProcessDueOn.flatMap { CivilDate($0)?.displayName } : nil
            late = row.status != .answered && (CivilDate(due).map { $0 < today } ?? false)
        }
    }

    struct ListPage: Encodable {
        let title = "Datos personales"
        let frame: BackOfficeController.Frame
        let rows: [Row]
        let phone: String
        let ledger: [HolderCopy.Entry]?
        let message: String?
    }

    @Sendable
    func list(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let today = request.application.clock.today
        let typed = (try? request.query.get(String.self, at: "telefono")) ?? ""
        var ledger: [HolderCopy.Entry]?
        var message: String?
        if !typed.isEmpty {
            if let phone = ColombianMobile.e164(typed) {
                ledger = try await AssistantHolderRecords().consents(of: Holder.find(phone, on: request.db), on: request.db)
                try await request.application.staffService().audit(staff.accountID, email: staff.email, "datos_consulta_registro", subject: Masking.phone(phone), detail: "Consulta del registro de autorizaciones.")
            } else {
                message = "Escribe un celular colombiano de 10 dígitos."
            }
        }
        let page = ListPage(frame: .init(staff), rows: try await request.application.dataRequestDesk().list().map { Row($0, today: today) },
                            phone: typed, ledger: ledger, message: message)
        return try await request.view.render("backoffice/datos", page).encodeResponse(for: request)
    }

    struct DetailPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let row: Row
        let detail: String?
        let answer: String?
        let answeredBy: String?
        let canMark: Bool
        let canExtend: Bool
        let open: Bool
        let message: String?
    }

    func render(_ request: Request, _ code: String, message: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let staff = try request.requireStaff()
        let row = try await request.application.dataRequestDesk().find(code)
        let open = row.status != .answered
        let page = DetailPage(
            title: "Solicitud \(row.code)", frame: .init(staff), row: Row(row, today: request.application.clock.today), detail: row.detail,
            answer: row.answer, answeredBy: row.answeredBy, canMark: open && row.kind == "reclamo" && row.inProcessAt == nil,
            canExtend: open && row.extendedDueOn == nil, open: open, message: message
        )
        return try await request.view.render("backoffice/datos-solicitud", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func show(request: Request) async throws -> Response {
        try await render(request, request.parameters.get("code") ?? "")
    }

    struct ActionForm: Content { var motivo: String?; var texto: String? }

    /// Runs an action; `work` gives the message to show.
    func act(_ request: Request, _ work: (DataRequestDesk, String, ActionForm, StaffContext) async throws -> String) async throws -> Response {
        let staff = try request.requireStaff()
        let code = request.parameters.get("code") ?? ""
        let form = (try? request.content.decode(ActionForm.self)) ?? ActionForm()
        do {
            let done = try await work(request.application.dataRequestDesk(), code, form, staff)
            return try await render(request, code, message: done)
        } catch let error as DataRequestError where error != .notFound {
            return try await render(request, code, message: error.reason, status: error.status)
        }
    }

    @Sendable
    func markInProcess(request: Request) async throws -> Response {
        try await act(request) { desk, code, _, staff in
            _ = try await desk.markInProcess(code, by: staff)
            return "Marcado «reclamo en trámite»."
        }
    }

    @Sendable
    func extend(request: Request) async throws -> Response {
        try await act(request) { desk, code, form, staff in
            return switch try await desk.extend(code, reason: form.motivo ?? "", by: staff).reach {
            case .sent: "Término prorrogado; le avisamos al titular."
            case .noNumber: "Término prorrogado. El titular ya no tiene un número registrado, así que no pudimos avisarle."
            case .channelUnavailable: "Término prorrogado. El servicio de SMS no está disponible, así que no pudimos avisarle; lo verá al consultar su solicitud."
            }
        }
    }

    @Sendable
    func answer(request: Request) async throws -> Response {
        try await act(request) { desk, code, form, staff in
            return switch try await desk.answer(code, text: form.texto ?? "", by: staff).reach {
            case .sent: "Respuesta enviada al titular por el canal que usó."
            case .noNumber: "Respuesta guardada. El titular ya no tiene un número registrado (lo suprimió o lo cambió), así que no pudimos avisarle."
            case .channelUnavailable: "Respuesta guardada. El servicio de SMS no está disponible, así que no pudimos avisarle; el titular la verá al consultar su solicitud."
            }
        }
    }
}
