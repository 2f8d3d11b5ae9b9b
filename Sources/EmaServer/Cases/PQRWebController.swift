import EmaCore
import Fluent
import Foundation
import Vapor

/// PQR Web (`/pqr`): the public form to file a petition, complaint, claim or appeal, and the
/// public status of a radicado (`/radicado`) with the satisfaction survey of an answered queja.
/// Also the JSON interface other systems file and look up with (`/api/v1/pqr`).
struct PQRWebController: RouteCollection {
    /// Filings per client address (the form, the API without the operators' token, and Ema):
    /// 10 an hour, more than any household files; the API with `EMA_ADMIN_TOKEN` is not limited.
    static let filingsPerClient = RateLimit("pqr.radicacion.cliente", limit: 10, window: 3_600)

    static let publicTypes: [CaseType] = [.peticion, .queja, .reclamo, .recursoReposicion, .recursoApelacion, .peticionDocumentos, .consulta, .sugerencia]

    func boot(routes: any RoutesBuilder) throws {
        routes.get("pqr", use: form)
        routes.on(.POST, "pqr", body: .collect(maxSize: "27mb"), use: submit)
        routes.get("radicado", use: lookupForm)
        routes.post("radicado", use: lookup)
        routes.post("radicado", "encuesta", use: survey)
        routes.post("radicado", "respuesta.pdf", use: answerPDF)
    }

    func api(_ routes: any RoutesBuilder) {
        routes.on(.POST, "pqr", body: .collect(maxSize: "27mb"), use: apiFile)
        routes.post("pqr", "consulta", use: apiLookup)
    }

    // MARK: The form

    struct FormValues: Content {
        var tipo: String?
        var tema: String?
        var servicio: String?
        var municipio: String?
        var contrato: String?
        var factura: String?
        var recurrido: String?
        var descripcion: String?
        var nombre: String?
        var documento: String?
        var anonimo: String?
        var celular: String?
        var correo: String?
        var preferencial: String?
        var intento: String?
        var adjuntos: [File]?
    }

    struct FormPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let types: [SelectOption]
        let causales: [SelectOption]
        let services: [SelectOption]
        let municipalities: [SelectOption]
        let values: Values
        let key: String
        var message: String?
        /// The form field the message is about (its `id`), shown beside it; empty for none.
        var errorField = ""
        /// Attachments kept from an earlier try of this form: they go with it unless others are attached.
        var keptFiles: [String] = []

        struct Values: Encodable {
            var contract = "", invoice = "", appealed = "", description = "", name = "", idNumber = "", phone = "", email = ""
            var anonymous = false, priority = false
        }
    }

    func page(_ request: Request, _ values: FormValues?, message: String?) -> FormPage {
        let municipalities = request.application.utilityProfile?.municipalities ?? []
        var shown = FormPage.Values()
        if let values {
            shown.contract = values.contrato ?? ""
            shown.invoice = values.factura ?? ""
            shown.appealed = values.recurrido ?? ""
            shown.description = values.descripcion ?? ""
            shown.name = values.nombre ?? ""
            shown.idNumber = values.documento ?? ""
            shown.phone = values.celular ?? ""
            shown.email = values.correo ?? ""
            shown.anonymous = values.anonimo != nil
            shown.priority = values.preferencial != nil
        }
        return FormPage(
            title: "PQR Web · \(request.application.utilityProfile?.shortName ?? "Ema")",
            utility: request.application.utilityProfile,
            types: Self.publicTypes.map { SelectOption(value: $0.rawValue, label: $0.title, selected: values?.tipo == $0.rawValue) },
            causales: CaseCatalog.causales.map { SelectOption(value: $0.key, label: $0.plain, selected: values?.tema == $0.key) },
            services: UtilityService.allCases.map { SelectOption(value: $0.rawValue, label: $0.displayName, selected: values?.servicio == $0.rawValue) },
            municipalities: municipalities.map { SelectOption(value: $0, label: $0, selected: values?.municipio == $0) },
            values: shown,
            key: values?.intento ?? SecureRandom.hex(16),
            message: message
        )
    }

    @Sendable
    func form(request: Request) async throws -> Response {
        // «Presentar recurso» from a radicado's page arrives with the type and the radicado filled in.
        var values: FormValues?
        if let type = request.query[String.self, at: "tipo"], CaseType(rawValue: type) != nil {
            var prefilled = FormValues()
            prefilled.tipo = type
            prefilled.recurrido = request.query[String.self, at: "recurrido"].flatMap { Radicado.parse($0)?.text }
            values = prefilled
        }
        return try await request.privatePage("pqr", page(request, values, message: nil))
    }

    static func draft(from values: FormValues, channel: CaseChannel) throws -> CaseDraft {
        guard let type = values.tipo.flatMap(CaseType.init(rawValue:)) else { throw CaseError.unknownType }
        var draft = CaseDraft(type: type, channel: channel, description: values.descripcion ?? "")
        draft.service = values.servicio.flatMap { $0.isEmpty ? nil : $0 }
        draft.municipality = values.municipio
        draft.contractNumber = values.contrato
        draft.invoiceNumber = values.factura
        draft.parentRadicado = values.recurrido
        draft.anonymous = values.anonimo != nil
        draft.name = values.nombre
        draft.idNumber = values.documento
        draft.phone = values.celular
        draft.email = values.correo
        draft.priority = values.preferencial != nil
        draft.causal = values.tema.flatMap { $0.isEmpty ? nil : $0 } ?? CaseCatalog.unclassified
        draft.submissionKey = values.intento
        draft.files = files(from: values)
        return draft
    }

    /// The files a form brought (an empty file input sends one without name or bytes).
    static func files(from values: FormValues) -> [CaseDraft.File] {
        (values.adjuntos ?? []).filter { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
            .map { CaseDraft.File(filename: $0.filename, data: Data(buffer: $0.data)) }
    }

    struct FiledPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let radicado: String
        let code: String
        let dueDate: String
        let typeTitle: String
        /// What became of the SMS with the radicado, in words; nil when none was asked for.
        let smsNote: String?
    }

    static func smsNote(_ outcome: CaseNotifier.FiledSMS) -> String? {
        switch outcome {
        case .none: nil
        case .sent(let phone): "Te enviamos el radicado y el código por mensaje de texto al \(Masking.mobileHint(phone))."
        case .limited: "No te enviamos el mensaje de texto: ese número ya recibió varios mensajes nuestros en la última hora. Anota el radicado y el código que ves aquí."
        case .failed: "No pudimos enviarte el mensaje de texto en este momento. Anota el radicado y el código que ves aquí."
        }
    }

    @Sendable
    func submit(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let values = (try? request.content.decode(FormValues.self)) ?? FormValues()
        do {
            var draft = try Self.draft(from: values, channel: .pqrWeb)
            draft.requiresPlace = true
            if let wait = try await request.rateLimits.take(Self.filingsPerClient, request.clientAddress) {
                let message = "Desde esta conexión ya se radicaron \(Self.filingsPerClient.limit) solicitudes en la última hora. Por seguridad, espera \(SpanishDuration.wait(seconds: wait)) para radicar otra, o llámanos a la línea de atención."
                return try await request.privatePage("pqr", page(request, Self.keptValues(values), message: message), status: .tooManyRequests)
            }
            let key = CaseService.submissionKey(values.intento)
            if draft.files.isEmpty, let key { draft.files = try await CasePendingFiles.files(key: key, on: request.db) }
            let (filed, sms) = try await request.application.caseNotifier().file(draft)
            if let key { try await CasePendingFiles.forget(key: key, on: request.db) }
            return try await request.privatePage("pqr-radicada", FiledPage(
                title: "Solicitud radicada", utility: request.application.utilityProfile, radicado: filed.radicado,
                code: filed.code, dueDate: filed.dueOn.nameWithWeekday, typeTitle: draft.type.title, smsNote: Self.smsNote(sms)
            ))
        } catch let error as CaseError {
            let files = Self.files(from: values)
            let kept = try await CasePendingFiles.afterError(error, files: files, key: CaseService.submissionKey(values.intento), client: request.clientAddress,
                                                             limits: request.rateLimits, now: request.application.clock.now(), on: request.db)
            var form = page(request, Self.keptValues(values), message: error.reason + (!files.isEmpty && kept.isEmpty ? " Vuelve a adjuntar tus archivos." : ""))
            form.errorField = error.field ?? ""
            form.keptFiles = kept
            return try await request.privatePage("pqr", form, status: error.status)
        }
    }

    /// What the form shows again after a refusal: everything but the files.
    static func keptValues(_ values: FormValues) -> FormValues {
        var kept = values
        kept.adjuntos = nil
        return kept
    }

    // MARK: Status

    struct StatusPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let number: String
        var message: String?
        var status: CaseStatusSummary?
        var events: [EventView] = []
        var code = ""
        var surveyOpen = false
        var thanks: String?
        /// Where the request stands, step by step.
        var progress: [Step] = []
        /// «Presentar recurso», while the appeal window is open.
        var appealLink: String?
    }

    /// One step of the tracker: `hecho`, `actual` or `pendiente`.
    struct Step: Encodable {
        let title: String
        let state: String
    }

    /// Radicada → En estudio → Respondida, as the customer sees the case.
    static func progress(_ row: PQRCase) -> [Step] {
        let reached = CustomerCaseView(row: row).notified ? 2 : (row.statusValue == .radicado ? 0 : 1)
        return ["Radicada", "En estudio", "Respondida"].enumerated().map { index, title in
            Step(title: title, state: index < reached ? "hecho" : index == reached ? "actual" : "pendiente")
        }
    }

    struct EventView: Encodable {
        let at: String
        let detail: String
    }

    struct LookupForm: Content {
        var numero: String?
        var codigo: String?
        var puntaje: String?
        var comentario: String?
    }

    @Sendable
    func lookupForm(request: Request) async throws -> Response {
        let number = (try? request.query.get(String.self, at: "numero")).map { String($0.prefix(20)) } ?? ""
        return try await request.privatePage("radicado", StatusPage(title: statusTitle(request), utility: request.application.utilityProfile, number: number))
    }

    func statusTitle(_ request: Request) -> String {
        "Consulta de radicados · \(request.application.utilityProfile?.shortName ?? "Ema")"
    }

    /// The same answer, and the same work, for an unknown radicado and a wrong code.
    func find(_ request: Request, _ form: LookupForm) async throws -> PQRCase? {
        try await request.application.caseLookups.lookup(
            request.application.caseService(), radicado: form.numero ?? "", code: form.codigo ?? "", client: request.clientAddress
        )
    }

    @Sendable
    func lookup(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(LookupForm.self)) ?? LookupForm()
        return try await statusPage(request, form)
    }

    func statusPage(_ request: Request, _ form: LookupForm, thanks: String? = nil) async throws -> Response {
        var page = StatusPage(title: statusTitle(request), utility: request.application.utilityProfile, number: String((form.numero ?? "").prefix(20)))
        guard let row = try await find(request, form) else {
            page.message = "No encontramos una solicitud con ese radicado y ese código de consulta. Revisa los dos: están en la confirmación que recibiste al radicarla."
            return try await request.privatePage("radicado", page, status: .notFound)
        }
        page.status = CaseStatusSummary(row)
        page.code = CaseAccessCode.normalize(form.codigo ?? "") ?? ""
        page.events = try await request.application.caseService().events(of: row.requireID(), publicOnly: true).map {
            EventView(at: Self.dateTime($0.at), detail: $0.detail)
        }
        page.surveyOpen = row.typeValue == .queja && row.notifiedAt != nil && row.satisfaction == nil
        page.progress = Self.progress(row)
        if !row.typeValue.isRecurso, let until = CustomerCaseView(row: row).appealUntil.flatMap(CivilDate.init),
           request.application.clock.today <= until {
            page.appealLink = "/pqr?tipo=\(CaseType.recursoReposicion.rawValue)&recurrido=\(row.radicado)"
        }
        page.thanks = thanks
        return try await request.privatePage("radicado", page)
    }

    @Sendable
    func survey(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(LookupForm.self)) ?? LookupForm()
        guard let row = try await find(request, form) else { return try await statusPage(request, form) }
        do {
            guard let score = form.puntaje.flatMap({ Int($0) }) else { throw CaseError.invalidScore }
            try await request.application.caseService().rate(row, score: score, comment: form.comentario)
            return try await statusPage(request, form, thanks: "¡Gracias por calificar nuestra atención! Tu opinión nos ayuda a mejorar.")
        } catch let error as CaseError {
            return try await statusPage(request, form, thanks: error.reason)
        }
    }

    static func dateTime(_ date: Date) -> String { SpanishDateTime.format(date) }

    // MARK: JSON

    struct APIFiling: Content {
        var type: String
        var description: String
        var channel: String?
        var causal: String?
        var service: String?
        var municipality: String?
        var contractNumber: String?
        var invoiceNumber: String?
        var parentRadicado: String?
        var anonymous: Bool?
        var name: String?
        var idNumber: String?
        var phone: String?
        var email: String?
        var priority: Bool?
        var idempotencyKey: String?
    }

    struct APIFiled: Content {
        let radicado: String
        let code: String
        let dueDate: String
        let status: String
        /// What became of the SMS with the radicado: `sent`, `limited`, `failed`, or absent (no
        /// mobile given, or a repeated filing).
        let sms: String?
    }

    static func apiSMS(_ outcome: CaseNotifier.FiledSMS) -> String? {
        switch outcome {
        case .none: nil
        case .sent: "sent"
        case .limited: "limited"
        case .failed: "failed"
        }
    }

    @Sendable
    func apiFile(request: Request) async throws -> Response {
        let body: APIFiling
        do { body = try request.content.decode(APIFiling.self) } catch { throw CaseError.invalidRequest }
        guard let type = CaseType(rawValue: body.type) else { throw CaseError.unknownType }
        let channel = try body.channel.map { guard let channel = CaseChannel(rawValue: $0) else { throw CaseError.unknownChannel }; return channel } ?? .pqrWeb
        var draft = CaseDraft(type: type, channel: channel, description: body.description)
        draft.causal = body.causal
        draft.service = body.service
        draft.municipality = body.municipality
        draft.contractNumber = body.contractNumber
        draft.invoiceNumber = body.invoiceNumber
        draft.parentRadicado = body.parentRadicado
        draft.anonymous = body.anonymous ?? false
        draft.name = body.name
        draft.idNumber = body.idNumber
        draft.phone = body.phone
        draft.email = body.email
        draft.priority = body.priority ?? false
        draft.submissionKey = body.idempotencyKey
        if try await AdminTokenMiddleware.check(request) != .valid {
            try await request.rateLimits.enforce(Self.filingsPerClient, request.clientAddress)
        }
        // As the form: a mobile given gets the radicado and its code by SMS (once, whatever the retries).
        let (filed, sms) = try await request.application.caseNotifier().file(draft)
        return try await APIFiled(radicado: filed.radicado, code: filed.code, dueDate: filed.dueOn.description, status: CaseStatus.radicado.rawValue,
                                  sms: Self.apiSMS(sms))
            .encodeResponse(status: .created, for: request)
    }

    struct APILookup: Content {
        var radicado: String
        var code: String
    }

    struct APIStatus: Content {
        let radicado: String
        let type: String
        let status: String
        let filedOn: String
        let dueOn: String
        let decision: String?
        let answer: String?
        let answeredOn: String?
        let appealUntil: String?
    }

    @Sendable
    func apiLookup(request: Request) async throws -> APIStatus {
        let body = (try? request.content.decode(APILookup.self)) ?? APILookup(radicado: "", code: "")
        guard let row = try await request.application.caseLookups.lookup(
            request.application.caseService(), radicado: body.radicado, code: body.code, client: request.clientAddress
        ) else { throw CaseError.caseNotFound }
        let view = CustomerCaseView(row: row)
        return APIStatus(
            radicado: row.radicado, type: row.type, status: view.status.rawValue, filedOn: row.filedOn, dueOn: row.effectiveDue,
            decision: view.decision, answer: view.answer, answeredOn: view.answeredOn, appealUntil: view.appealUntil
        )
    }
}
