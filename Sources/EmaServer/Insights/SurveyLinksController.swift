import EmaCore
import Fluent
import Foundation
import Vapor

/// Surveys answered through a link (`/encuesta/{token}`: after an office attention, or a
/// campaign's several questions) and the campaigns' back-office page (`/backoffice/encuestas`).
struct SurveyLinksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("encuesta", ":token", use: page)
        routes.post("encuesta", ":token", use: submit)
        let desk = routes.grouped("backoffice", "encuestas").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        desk.get(use: campaigns)
        desk.post(use: launch)
    }

    struct Question: Encodable {
        let id: String
        let text: String
        let options: [Option]

        struct Option: Encodable { let value: Int; let checked: Bool }

        init(id: String, text: String, chosen: Int?) {
            self.id = id
            self.text = text
            options = (1...5).map { Option(value: $0, checked: $0 == chosen) }
        }
    }

    struct SurveyPage: Encodable {
        var title = "Encuesta de satisfacción"
        let utility: UtilityProfile?
        var intro: String?
        var questions: [Question] = []
        var comment = ""
        var message: String?
        var done: String?
    }

    func questions(for invitation: SurveyInvitation) -> [(id: String, text: String)] {
        if invitation.kind == SurveyService.Kind.campana.rawValue { return SurveyInvitations.campaignQuestions }
        return [("general", "¿Cómo calificas la atención que recibiste\(invitation.office.map { " en \($0)" } ?? "")?")]
    }

    func closedPage(_ request: Request, _ lookup: SurveyInvitations.Lookup) async throws -> Response {
        var page = SurveyPage(utility: request.application.utilityProfile)
        switch lookup {
        case .answered: page.done = "Esta encuesta ya fue respondida. ¡Gracias por tu tiempo!"
        case .expired: page.message = "Este enlace de encuesta ya venció. Gracias de todas formas: si quieres contarnos algo, escríbele a Ema o radica una PQR."
        default: page.message = "No encontramos esta encuesta. Revisa que el enlace esté completo, tal como llegó en el mensaje de texto."
        }
        return try await request.privatePage("encuesta", page, status: lookup.isUnknown ? .notFound : .ok)
    }

    @Sendable
    func page(request: Request) async throws -> Response {
        let lookup = try await request.application.surveyInvitations().lookup(token: request.parameters.get("token") ?? "")
        guard case .open(let invitation) = lookup else { return try await closedPage(request, lookup) }
        var page = SurveyPage(utility: request.application.utilityProfile)
        page.intro = invitation.kind == SurveyService.Kind.campana.rawValue
            ? "Queremos saber cómo te atendimos en nuestras oficinas y en la línea de atención. Responder toma un minuto; 5 es la mejor calificación."
            : "Gracias por visitarnos. Califica la atención de 1 a 5, donde 5 es excelente."
        page.questions = questions(for: invitation).map { Question(id: $0.id, text: $0.text, chosen: nil) }
        return try await request.privatePage("encuesta", page)
    }

    @Sendable
    func submit(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let service = request.application.surveyInvitations()
        let lookup = try await service.lookup(token: request.parameters.get("token") ?? "")
        guard case .open(let invitation) = lookup else { return try await closedPage(request, lookup) }
        let form = (try? request.content.decode([String: String].self)) ?? [:]
        let asked = questions(for: invitation)
        var answers: [String: Int] = [:]
        for question in asked {
            if let value = form[question.id].flatMap({ Int($0) }), (1...5).contains(value) { answers[question.id] = value }
        }
        let comment = String((form["comentario"] ?? "").prefix(1_000))
        guard answers.count == asked.count else {
            var page = SurveyPage(utility: request.application.utilityProfile)
            page.questions = asked.map { Question(id: $0.id, text: $0.text, chosen: answers[$0.id]) }
            page.comment = comment
            page.message = asked.count == 1 ? "Elige una calificación de 1 a 5." : "Responde todas las preguntas (de 1 a 5) antes de enviar; faltan \(asked.count - answers.count)."
            return try await request.privatePage("encuesta", page, status: .badRequest)
        }
        guard try await service.answer(invitation, answers: answers, comment: comment) else { return try await closedPage(request, .answered) }
        var page = SurveyPage(utility: request.application.utilityProfile)
        page.done = "¡Gracias! Recibimos tus respuestas; nos ayudan a atenderte mejor. 💚"
        return try await request.privatePage("encuesta", page)
    }

    // MARK: Campaigns

    struct CampaignsPage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let results: [SurveyCampaigns.Result]
        let month: String
        let nextDue: String
        /// «Cada cuatro meses», as the utility set it.
        let every: String
        let phones: String
        let message: String?
        let error: String?
    }

    /// «Cada cuatro meses».
    static func every(_ months: Int) -> String {
        let words = ["", "", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"]
        return months == 1 ? "Cada mes" : "Cada \(months < words.count ? words[months] : String(months)) meses"
    }

    func renderCampaigns(_ request: Request, month: String? = nil, phones: String = "", message: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let staff = try request.requireStaff()
        let campaigns = request.application.surveyCampaigns()
        let next = try await campaigns.nextDue()
        let page = CampaignsPage(
            title: "Encuestas de satisfacción", frame: .init(staff), results: try await campaigns.results(), month: month ?? next, nextDue: next,
            every: Self.every(campaigns.everyMonths), phones: phones, message: message, error: error
        )
        return try await request.view.render("backoffice/encuestas", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func campaigns(request: Request) async throws -> Response {
        try await renderCampaigns(request)
    }

    struct LaunchForm: Content { var mes: String?; var telefonos: String? }

    @Sendable
    func launch(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let form = (try? request.content.decode(LaunchForm.self)) ?? LaunchForm()
        let month = (form.mes ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let launched = try await request.application.surveyCampaigns().launch(month: month, phoneLines: form.telefonos ?? "", by: staff.email)
            try await request.application.staffService().audit(staff.accountID, email: staff.email, "encuesta_campana", subject: month, detail: "\(launched.invited) invitaciones por SMS.")
            return try await renderCampaigns(request, message: "Encuesta de \(month) enviada por SMS a \(launched.invited) clientes (\(launched.fromOffices) atendidos en oficinas, \(launched.fromPhone) por la línea telefónica).")
        } catch let error as SurveyCampaignError {
            return try await renderCampaigns(request, month: month, phones: form.telefonos ?? "", error: error.reason, status: error.status)
        }
    }
}

extension SurveyInvitations.Lookup {
    var isUnknown: Bool { if case .unknown = self { true } else { false } }
}
