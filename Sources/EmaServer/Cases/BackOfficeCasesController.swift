import EmaCore
import Fluent
import FluentSQL
import Foundation
import Vapor

/// The PQR desk of the back office: queues by due date, intake for office, phone, e-mail and
/// written requests, and each case's page (classification, assignment, notes, extension,
/// answer, history). An agent works on the cases assigned to them and takes unassigned ones;
/// supervisors and administrators see and assign everything.
struct BackOfficeCasesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let desk = routes.grouped("backoffice", "pqr").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        desk.get(use: queue)
        desk.get("nueva", use: intakeForm)
        desk.on(.POST, "nueva", body: .collect(maxSize: "27mb"), use: intake)
        desk.get(":radicado", use: detail)
        desk.get(":radicado", "adjuntos", ":attachment", use: attachment)
        desk.post(":radicado", "tomar", use: take)
        desk.post(":radicado", "asignar", use: assign)
        desk.post(":radicado", "nota", use: note)
        desk.post(":radicado", "clasificar", use: classify)
        desk.post(":radicado", "prorroga", use: extend)
        desk.post(":radicado", "responder", use: answer)
        let reports = routes.grouped("backoffice", "pqr-estadisticas").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        reports.get(use: CaseStatisticsPage.page)
        reports.get("sspd.csv", use: CaseStatisticsPage.sspdCSV)
    }

    // MARK: Intake

    struct IntakePage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let form: PQRWebController.FormPage
        let channels: [SelectOption]
        var filed: Filed?

        struct Filed: Encodable { let radicado: String; let code: String; let dueDate: String }
    }

    struct IntakeChannel: Content { var canal: String? }

    @Sendable
    func intakeForm(request: Request) async throws -> Vapor.View {
        let staff = try request.requireStaff()
        return try await request.view.render("backoffice/case-new", IntakePage(
            title: "Radicar PQR", frame: .init(staff), form: PQRWebController().page(request, nil, message: nil),
            channels: CaseChannel.staffIntake.map { .init(value: $0.rawValue, label: $0.title, selected: false) }
        ))
    }

    @Sendable
    func intake(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let values = (try? request.content.decode(PQRWebController.FormValues.self)) ?? .init()
        let channelValue = (try? request.content.decode(IntakeChannel.self))?.canal
        let channels = { (selected: String?) in CaseChannel.staffIntake.map { SelectOption(value: $0.rawValue, label: $0.title, selected: $0.rawValue == selected) } }
        do {
            guard let channel = channelValue.flatMap(CaseChannel.init(rawValue:)), CaseChannel.staffIntake.contains(channel) else { throw CaseError.unknownChannel }
            var draft = try PQRWebController.draft(from: values, channel: channel)
            draft.recordedBy = staff.email
            let filed = try await request.application.caseNotifier().file(draft).filed
            var page = IntakePage(title: "Radicar PQR", frame: .init(staff), form: PQRWebController().page(request, nil, message: nil), channels: channels(nil))
            page.filed = .init(radicado: filed.radicado, code: filed.code, dueDate: filed.dueOn.nameWithWeekday)
            return try await request.view.render("backoffice/case-new", page).encodeResponse(status: .created, for: request)
        } catch let error as CaseError {
            let page = IntakePage(title: "Radicar PQR", frame: .init(staff), form: PQRWebController().page(request, PQRWebController.keptValues(values), message: error.reason), channels: channels(channelValue))
            return try await request.view.render("backoffice/case-new", page).encodeResponse(status: error.status, for: request)
        }
    }

    // MARK: One case

    /// The case of the path, if this staff member may work on it.
    func load(_ request: Request) async throws -> (PQRCase, StaffContext) {
        let staff = try request.requireStaff()
        guard let typed = request.parameters.get("radicado"), let radicado = Radicado.parse(typed),
              let row = try await PQRCase.query(on: request.db).filter(\.$radicado == radicado.text).first()
        else { throw CaseError.caseNotFound }
        if staff.role == .agente, let owner = row.assignedTo, owner != staff.accountID { throw CaseError.notYours }
        return (row, staff)
    }

    struct DetailPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let radicado: String
        let type: String
        let status: String
        let open: Bool
        let channel: String
        let filedAt: String
        let dueOn: String
        let term: String
        /// A billing request's ask in a line, for the agent to pass on to billing once granted.
        let request: String?
        let extendable: Bool
        let flag: String?
        let person: String
        let idNumber: String
        let phone: String
        let email: String
        let contract: String
        let invoice: String
        let municipality: String
        let segment: String
        let description: String
        let priority: Bool
        let assigned: String
        let canTake: Bool
        let canAssign: Bool
        let staff: [SelectOption]
        let causales: [SelectOption]
        let services: [SelectOption]
        let municipalities: [SelectOption]
        let decisions: [SelectOption]
        /// The answer being written, kept when it could not go yet.
        let draftAnswer: String
        /// An agent takes the case before the answer form shows.
        let mustTake: Bool
        let answer: String?
        let decision: String?
        let answeredBy: String?
        let notification: String?
        let appealUntil: String?
        let satisfaction: String?
        let attachments: [AttachmentView]
        let events: [EventView]
        let message: String?
        /// A suggestion's area and outcome (`SuggestionsController`).
        var suggestion: SuggestionsController.Panel?

        struct AttachmentView: Encodable { let id: String; let name: String; let size: String }
        struct EventView: Encodable { let at: String; let actor: String; let kind: String; let detail: String; let isPublic: Bool }
    }

    /// The case's page; `draft` keeps an answer that could not go yet (its text and decision).
    func render(_ request: Request, _ row: PQRCase, _ staff: StaffContext, message: String? = nil, status: HTTPResponseStatus = .ok,
                draft: (decision: CaseDecision?, text: String)? = nil) async throws -> Response {
        let service = request.application.caseService()
        let today = request.application.clock.today
        let caseID = try row.requireID()
        let events = try await service.events(of: caseID, publicOnly: false)
        let files = try await CaseAttachment.query(on: request.db).filter(\.$caseID == caseID).field(\.$id).field(\.$filename).field(\.$size).all()
        let assignable = staff.role == .agente ? [] : try await StaffDirectory(database: request.db).careAccounts()
        let due = CivilDate(row.effectiveDue)
        let filed = CivilDate(row.filedOn)
        let extendable = row.statusValue.isOpen && row.extendedDueOn == nil && filed.flatMap { service.deadlines.extended(filed: $0, term: row.term, noticeOn: today) } != nil
        var flag: String?
        if row.positiveSilence { flag = "Venció sin respuesta: silencio administrativo positivo. Reconoce sus efectos dentro de las 72 horas." }
        else if row.statusValue.isOpen, let due, due < today { flag = "Vencida desde el \(due.nameWithWeekday)." }
        var page = DetailPage(
            title: "Radicado \(row.radicado)", frame: .init(staff), radicado: row.radicado, type: row.typeTitle,
            status: row.statusValue.title, open: row.statusValue.isOpen, channel: row.channelValue.title,
            filedAt: PQRWebController.dateTime(row.filedAt), dueOn: (due?.nameWithWeekday ?? row.effectiveDue) + (row.extendedDueOn != nil ? " (prorrogada)" : ""),
            term: "\(row.term.businessDays) días hábiles · \(row.term.law)", request: row.requestDetail, extendable: extendable, flag: flag,
            person: row.anonymous ? "Anónimo" : (row.name ?? "—"), idNumber: row.idNumber ?? "—", phone: row.phone.map(ColombianMobile.display) ?? "—",
            email: row.email ?? "—", contract: row.contractNumber ?? "—", invoice: row.invoiceNumber ?? "—",
            municipality: row.municipality ?? "—", segment: row.segment.flatMap { Segment(rawValue: $0)?.displayName } ?? "—",
            description: row.description, priority: row.priority, assigned: row.assignedName ?? "Sin asignar",
            canTake: row.assignedTo == nil && row.statusValue.isOpen,
            canAssign: staff.role != .agente && row.statusValue.isOpen,
            staff: assignable.compactMap { account in account.id.map { .init(value: $0.uuidString, label: "\(account.name) · \(account.roleValue.title)", selected: $0 == row.assignedTo) } },
            causales: [.init(value: CaseCatalog.unclassified, label: "Sin clasificar", selected: row.causal == CaseCatalog.unclassified)]
                + CaseCatalog.causales.map { .init(value: $0.key, label: $0.label, selected: $0.key == row.causal) },
            services: UtilityService.allCases.map { .init(value: $0.rawValue, label: $0.displayName, selected: $0.rawValue == row.service) },
            municipalities: service.municipalities.map { .init(value: $0, label: $0, selected: $0 == row.municipality) },
            decisions: decisionOptions(row, selected: draft?.decision), draftAnswer: draft?.text ?? "",
            mustTake: staff.role == .agente && row.assignedTo == nil,
            answer: row.answer, decision: row.decisionValue?.title, answeredBy: row.answeredBy,
            notification: row.notifiedAt.map { "Notificada el \(PQRWebController.dateTime($0)) \(CaseService.notificationTitle(row.notificationKind ?? ""))." },
            appealUntil: row.appealUntil.flatMap { CivilDate($0)?.nameWithWeekday },
            satisfaction: row.satisfaction.map { "\($0) de 5" + (row.satisfactionComment.map { " · «\($0)»" } ?? "") },
            attachments: files.map { .init(id: $0.id?.uuidString ?? "", name: $0.filename, size: "\(max(1, $0.size / 1_024)) KB") },
            events: events.map { .init(at: PQRWebController.dateTime($0.at), actor: $0.actor, kind: CaseService.eventTitle($0.kind), detail: $0.detail, isPublic: $0.isPublic) },
            message: message
        )
        page.suggestion = SuggestionsController.panel(row, areas: request.application.utilityProfile?.suggestionAreas ?? [])
        return try await request.view.render("backoffice/case", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func detail(request: Request) async throws -> Response {
        let (row, staff) = try await load(request)
        let done = request.query[String.self, at: "hecho"].flatMap(Done.init(rawValue:))
        return try await render(request, row, staff, message: done?.message(row))
    }

    @Sendable
    func attachment(request: Request) async throws -> Response {
        let (row, _) = try await load(request)
        guard let id = request.parameters.get("attachment").flatMap(UUID.init(uuidString:)),
              let file = try await CaseAttachment.query(on: request.db).filter(\.$id == id).filter(\.$caseID == row.requireID()).first()
        else { throw CaseError.caseNotFound }
        let response = Response(status: .ok, body: .init(data: file.data))
        response.headers.contentType = switch file.contentType {
        case "application/pdf": .pdf
        case "image/png": .png
        case "image/jpeg": .jpeg
        default: .binary
        }
        response.headers.contentDisposition = .init(.attachment, filename: file.filename)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    /// Runs a change and shows the case again: a Spanish message for what cannot be done.
    func act(_ request: Request, _ body: (PQRCase, StaffContext) async throws -> Done) async throws -> Response {
        let (row, staff) = try await load(request)
        do {
            let done = try await body(row, staff)
            return request.redirect(to: "/backoffice/pqr/\(row.radicado)?hecho=\(done.rawValue)", redirectType: .normal)
        } catch let error as CaseError {
            return try await render(request, row, staff, message: error.reason, status: error.status)
        }
    }

    @Sendable
    func take(request: Request) async throws -> Response {
        try await act(request) { row, staff in
            guard row.assignedTo == nil, let account = try await StaffDirectory(database: request.db).account(staff.accountID) else { throw CaseError.notYours }
            try await request.application.caseService().assign(row, to: account, by: staff.email, taking: true)
            return .taken
        }
    }

    struct AssignForm: Content { var responsable: String? }

    @Sendable
    func assign(request: Request) async throws -> Response {
        guard request.staff?.role != .agente else { throw StaffError.roleNotAllowed }
        return try await act(request) { row, staff in
            guard let id = try request.content.decode(AssignForm.self).responsable.flatMap(UUID.init(uuidString:)),
                  let account = try await StaffDirectory(database: request.db).account(id), account.active, StaffAccount.Role.care.contains(account.roleValue)
            else { throw CaseError.unknownStaff }
            try await request.application.caseService().assign(row, to: account, by: staff.email)
            return .assigned
        }
    }

    struct TextForm: Content { var texto: String? }

    @Sendable
    func note(request: Request) async throws -> Response {
        try await act(request) { row, staff in
            try await request.application.caseService().note(row, text: try request.content.decode(TextForm.self).texto ?? "", by: staff.email)
            return .noted
        }
    }

    struct ClassifyForm: Content {
        var tema: String?
        var servicio: String?
        var municipio: String?
        var preferencial: String?
    }

    @Sendable
    func classify(request: Request) async throws -> Response {
        try await act(request) { row, staff in
            let form = try request.content.decode(ClassifyForm.self)
            try await request.application.caseService().classify(
                row, causal: form.tema ?? CaseCatalog.unclassified, service: form.servicio.flatMap { $0.isEmpty ? nil : $0 },
                municipality: form.municipio, priority: form.preferencial != nil, by: staff.email
            )
            return .classified
        }
    }

    @Sendable
    func extend(request: Request) async throws -> Response {
        try await act(request) { row, staff in
            let reason = try request.content.decode(TextForm.self).texto ?? ""
            try await request.application.caseNotifier().extend(row, reason: reason, by: staff.email)
            return .extended
        }
    }

    struct AnswerForm: Content {
        var decision: String?
        var texto: String?
        /// «si» once the agent saw how the answer will reach the customer.
        var confirmar: String?
        /// The digest of the decision and text the preview showed: what is confirmed is what was seen.
        var vista: String?
    }

    /// What a preview showed, to confirm exactly that.
    static func previewDigest(_ decision: CaseDecision, _ text: String) -> String {
        // Line breaks as a browser's form sends them or not: the same text either way.
        Hex.sha256("\(decision.rawValue)|\(text.replacingOccurrences(of: "\r\n", with: "\n"))")
    }

    /// The answer goes in two steps: first a preview of what the customer gets and how (nothing is
    /// saved), then «Confirmar y notificar». An agent answers only a case they took.
    @Sendable
    func answer(request: Request) async throws -> Response {
        let (row, staff) = try await load(request)
        let form = try request.content.decode(AnswerForm.self)
        var text = form.texto ?? ""
        let decision = form.decision.flatMap(CaseDecision.init(rawValue:))
        do {
            text = try request.application.caseService().checkedAnswer(row, text: text, by: staff)
            guard let decision else { throw CaseError.decisionRequired }
            let notifier = request.application.caseNotifier()
            let digest = Self.previewDigest(decision, text)
            // Nothing goes without its preview: a confirmation of a text or decision the agent did
            // not see (changed on the preview page) shows the preview again.
            guard form.confirmar == "si", form.vista == digest else {
                let route = notifier.answerRoute(row, decision: decision)
                return try await request.view.render("backoffice/case-answer", AnswerPreview(
                    title: "Revisa la respuesta · \(row.radicado)", frame: .init(staff), radicado: row.radicado, type: row.typeValue.title,
                    decisionTitle: decision.title, text: text, how: route.how, sms: route.message, decisions: decisionOptions(row, selected: decision),
                    digest: digest, changed: form.confirmar == "si"
                )).encodeResponse(for: request)
            }
            try await notifier.answer(row, decision: decision, text: text, by: staff)
            return request.redirect(to: "/backoffice/pqr/\(row.radicado)?hecho=\(Done.answered.rawValue)", redirectType: .normal)
        } catch let error as CaseError {
            return try await render(request, row, staff, message: error.reason, status: error.status, draft: (decision, text))
        }
    }

    struct AnswerPreview: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let radicado: String
        let type: String
        let decisionTitle: String
        let text: String
        /// How it reaches the customer, and the SMS itself when it goes by SMS.
        let how: String
        let sms: String?
        let decisions: [SelectOption]
        let digest: String
        /// The agent confirmed after changing the text or decision: they see it again first.
        let changed: Bool
    }

    /// The decisions an answer may take (a recurso's own: confirm, modify, revoke).
    func decisionOptions(_ row: PQRCase, selected: CaseDecision?) -> [SelectOption] {
        CaseDecision.allCases.filter { row.typeValue.isRecurso ? true : ![.confirma, .modifica, .revoca].contains($0) }
            .map { .init(value: $0.rawValue, label: $0.title, selected: $0 == selected) }
    }
}

extension Request {
    func requireStaff() throws -> StaffContext {
        guard let staff else { throw StaffError.roleNotAllowed }
        return staff
    }
}
