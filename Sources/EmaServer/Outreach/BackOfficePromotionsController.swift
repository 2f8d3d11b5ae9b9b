import EmaCore
import Foundation
import Vapor

/// `/backoffice/promociones` (supervisors, administrators): how many numbers said yes to
/// promotions, the campaigns with their messages by status, and a new campaign — a text in the
/// approved template `novedades`, sent only to the numbers that gave the authorization.
struct BackOfficePromotionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let office = routes.grouped("backoffice", "promociones").grouped(StaffAuthMiddleware(.supervisor, .administrador))
        office.get(use: list)
        office.post(use: create)
    }

    struct Page: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let audience: String
        let campaigns: [Campaign]
        let text: String
        let message: String?
        let error: Bool

        struct Campaign: Encodable {
            let text: String
            let createdAt: String
            let createdBy: String
            let audience: String
            let counts: [Count]
        }

        struct Count: Encodable { let title: String; let value: String }
    }

    func render(_ request: Request, text: String = "", message: String? = nil, error: Bool = false, status: HTTPResponseStatus = .ok) async throws -> Response {
        let staff = try request.requireStaff()
        let service = request.application.promotionService()
        let audience = try await ConsentLedger(database: request.db).promotionsAudienceCount()
        let campaigns = try await service.recent().map { campaign in
            Page.Campaign(text: campaign.text, createdAt: SpanishDateTime.format(campaign.createdAt), createdBy: campaign.createdBy,
                          audience: SpanishNumber.integer(campaign.audience),
                          counts: PromotionCampaigns.Status.allCases.compactMap { status in
                              campaign.counts[status].map { Page.Count(title: status.title, value: SpanishNumber.integer($0)) }
                          })
        }
        let page = Page(title: "Promociones", frame: .init(staff), audience: SpanishNumber.integer(audience), campaigns: campaigns,
                        text: text, message: message, error: error)
        return try await request.view.render("backoffice/promociones", page).encodeResponse(status: status, for: request)
    }

    @Sendable
    func list(request: Request) async throws -> Response {
        try await render(request, message: request.query[String.self, at: "aviso"] == "creada" ? "Campaña creada: sale entre las 7:00 a. m. y las 8:00 p. m., solo a quienes autorizaron las promociones." : nil)
    }

    struct Form: Content { var texto: String? }

    @Sendable
    func create(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        let text = (try? request.content.decode(Form.self))?.texto ?? ""
        do {
            let (id, audience) = try await request.application.promotionService().create(text: text, by: staff.email)
            try await request.application.staffService().audit(staff.accountID, email: staff.email, "promocion_creada", subject: id.uuidString, detail: "\(audience)")
            return request.redirect(to: "/backoffice/promociones?aviso=creada", redirectType: .normal)
        } catch PromotionService.Problem.textLength {
            return try await render(request, text: text, message: "Escribe el mensaje (entre \(PromotionCampaigns.textLength.lowerBound) y \(PromotionCampaigns.textLength.upperBound) caracteres).", error: true, status: .badRequest)
        } catch PromotionService.Problem.noAudience {
            return try await render(request, text: text, message: "Nadie ha autorizado todavía las promociones: no hay a quién enviarlas.", error: true, status: .conflict)
        }
    }
}
