import EmaCore
import Fluent
import Foundation
import Vapor

/// Contacto Transparente: `/transparencia` to report, `/transparencia/consulta` to follow the
/// report with its code and key, and the back office of the `transparencia` role only.
struct TransparencyController: RouteCollection {
    /// Failed lookups (a wrong key and an unknown code alike): 30 per address every 15 minutes
    /// and 10 per code and address an hour; never per code alone, which would let anyone lock
    /// a reporter out of their own answer.
    static let failuresPerAddress = RateLimit("transparencia.fallos.direccion", limit: 30, window: 900)
    static let failuresPerCode = RateLimit("transparencia.fallos.codigo_direccion", limit: 10, window: 3_600)

    func boot(routes: any RoutesBuilder) throws {
        // The reporter's pages leave no access-log line: the page promises only the day is kept.
        routes.get("transparencia", use: form).anonymous()
        routes.on(.POST, "transparencia", body: .collect(maxSize: "27mb"), use: submit).anonymous()
        routes.get("transparencia", "consulta", use: lookupForm).anonymous()
        routes.post("transparencia", "consulta", use: lookup).anonymous()
        let desk = routes.grouped("backoffice", "transparencia").grouped(StaffAuthMiddleware(.transparencia))
        desk.get(use: list)
        desk.get(":code", use: detail)
        desk.get(":code", "evidencia", ":index", use: evidence)
        desk.post(":code", "responder", use: answer)
    }

    struct Form: Content {
        var que: String?
        var donde: String?
        var cuando: String?
        var quien: String?
        var nombre: String?
        var contacto: String?
        var evidencias: [File]?
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile?
        var values = TransparencyContent(what: "", place: "", when: "", who: "")
        var message: String?
        var code: String?
        var key: String?
        var answer: String?
        var status: String?
        var receivedOn: String?
        var answeredOn: String?
    }

    func page(_ request: Request) -> Page {
        Page(title: "Contacto Transparente · \(request.application.utilityProfile?.shortName ?? "Ema")", utility: request.application.utilityProfile)
    }

    func render(_ request: Request, _ view: String, _ page: Page, status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await request.privatePage(view, page, status: status)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    func service(_ request: Request) async throws -> TransparencyService {
        try await TransparencyService.make(database: request.db, clock: request.application.clock)
    }

    @Sendable
    func form(request: Request) async throws -> Response {
        try await render(request, "transparencia", page(request))
    }

    @Sendable
    func submit(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(Form.self)) ?? Form()
        var shown = page(request)
        shown.values = TransparencyContent(what: form.que ?? "", place: form.donde ?? "", when: form.cuando ?? "", who: form.quien ?? "",
                                           name: form.nombre, contact: form.contacto)
        do {
            let files = (form.evidencias ?? []).filter { $0.data.readableBytes > 0 }.map { CaseDraft.File(filename: $0.filename, data: Data(buffer: $0.data)) }
            let (code, key) = try await service(request).file(shown.values, files: files)
            var done = page(request)
            done.code = code
            done.key = key
            return try await render(request, "transparencia", done, status: .created)
        } catch let error as any EmaError {
            shown.message = error.reason
            return try await render(request, "transparencia", shown, status: error.status)
        }
    }

    struct LookupForm: Content { var codigo: String?; var clave: String? }

    @Sendable
    func lookupForm(request: Request) async throws -> Response {
        try await render(request, "transparencia-consulta", page(request))
    }

    @Sendable
    func lookup(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(LookupForm.self)) ?? LookupForm()
        let client = request.clientAddress
        // The same code the lookup reads: spaces or case cannot make a fresh counter.
        let pair = "\(TransparencyService.normalized(code: form.codigo ?? "").prefix(20))|\(client)"
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, client), (Self.failuresPerCode, pair)])
        var shown = page(request)
        guard let report = try await service(request).lookup(code: form.codigo ?? "", key: form.clave ?? "") else {
            shown.message = TransparencyError.notFound.reason
            return try await render(request, "transparencia-consulta", shown, status: .notFound)
        }
        try await attempt.succeeded()
        shown.code = report.code
        shown.status = report.status.publicTitle
        shown.receivedOn = CivilDate(report.receivedOn)?.displayName
        shown.answeredOn = report.answeredOn.flatMap { CivilDate($0)?.displayName }
        if let sealed = report.sealedAnswer { shown.answer = try await service(request).open(String.self, sealed) }
        return try await render(request, "transparencia-consulta", shown)
    }

    // MARK: The transparency officer

    struct Row: Encodable { let code: String; let receivedOn: String; let status: String; let what: String }
    struct ListPage: Encodable { let title: String; let frame: BackOfficeController.Frame; let rows: [Row] }

    @Sendable
    func list(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let reports = try await TransparencyReport.query(on: request.db).sort(\.$receivedOn, .descending).limit(200).all()
        let service = try await service(request)
        var rows: [Row] = []
        for report in reports {
            let content = try service.open(TransparencyContent.self, report.sealed)
            rows.append(Row(code: report.code, receivedOn: report.receivedOn, status: report.status.rawValue, what: String(content.what.prefix(140))))
        }
        return try await request.view.render("backoffice/transparencia", ListPage(title: "Contacto Transparente", frame: .init(staff), rows: rows))
    }

    struct DetailPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let code: String
        let receivedOn: String
        let status: String
        let content: TransparencyContent
        let files: [String]
        let answer: String?
        let message: String?
    }

    func load(_ request: Request) async throws -> TransparencyReport {
        guard let code = request.parameters.get("code"),
              let report = try await TransparencyReport.query(on: request.db).filter(\.$code == code).first()
        else { throw TransparencyError.notFound }
        return report
    }

    func showDetail(_ request: Request, _ report: TransparencyReport, message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let staff = try request.requireStaff()
        let service = try await service(request)
        let files = try await TransparencyEvidence.query(on: request.db).filter(\.$reportID == report.requireID()).sort(\.$id).all()
        var names: [String] = []
        for file in files { names.append(try service.open(TransparencyFile.self, file.sealed).filename) }
        let page = DetailPage(
            title: report.code, frame: .init(staff), code: report.code, receivedOn: CivilDate(report.receivedOn)?.displayName ?? report.receivedOn,
            status: report.status.rawValue, content: try service.open(TransparencyContent.self, report.sealed), files: names,
            answer: try report.sealedAnswer.map { try service.open(String.self, $0) }, message: message
        )
        return try await request.view.render("backoffice/transparencia-caso", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func detail(request: Request) async throws -> Response {
        try await showDetail(request, try await load(request), message: nil)
    }

    @Sendable
    func evidence(request: Request) async throws -> Response {
        let report = try await load(request)
        let files = try await TransparencyEvidence.query(on: request.db).filter(\.$reportID == report.requireID()).sort(\.$id).all()
        guard let index = request.parameters.get("index").flatMap(Int.init), files.indices.contains(index) else { throw TransparencyError.notFound }
        let file = try await service(request).open(TransparencyFile.self, files[index].sealed)
        let response = Response(status: .ok, body: .init(data: file.data))
        response.headers.replaceOrAdd(name: .contentType, value: file.contentType)
        response.headers.contentDisposition = .init(.attachment, filename: file.filename)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    struct AnswerForm: Content { var texto: String? }

    @Sendable
    func answer(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let report = try await load(request)
        do {
            try await service(request).answer(report, text: try request.content.decode(AnswerForm.self).texto ?? "")
            try await request.application.staffService().audit(staff.accountID, email: staff.email, "responder_denuncia", subject: report.code, detail: "")
            return try await showDetail(request, report, message: "Respuesta guardada: quien denunció la verá al consultar con su código y su clave.")
        } catch let error as TransparencyError {
            return try await showDetail(request, report, message: error.reason, status: error.status)
        }
    }
}
