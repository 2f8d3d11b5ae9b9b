import EmaCore
import Fluent
import Foundation
import Vapor

/// `/danos`: report a damage any time, safety first; and the crews' queue in the back office.
struct DamageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("danos", use: form)
        routes.post("danos", use: submit)
        routes.get("danos", "consulta", use: lookup)
        let desk = routes.grouped("backoffice", "danos").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador))
        desk.get(use: queue)
        desk.post(":number", "estado", use: move)
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile?
        let line: String
        let services: [SelectOption]
        var address = ""
        var description = ""
        var phone = ""
        var message: String?
        var safety: String?
        var number: String?
    }

    struct Form: Content {
        var servicio: String?
        var direccion: String?
        var descripcion: String?
        var celular: String?
    }

    static func serviceChoices(selected: String?) -> [SelectOption] {
        DamageService.allCases.map { .init(value: $0.rawValue, label: $0.title, selected: $0.rawValue == selected) }
    }

    func page(_ request: Request, _ form: Form?) -> Page {
        Page(
            title: "Reporte de daños · \(request.application.utilityProfile?.shortName ?? "Ema")",
            utility: request.application.utilityProfile,
            line: request.application.utilityProfile?.phoneLines.first?.number ?? "",
            services: Self.serviceChoices(selected: form?.servicio),
            address: form?.direccion ?? "", description: form?.descripcion ?? "", phone: form?.celular ?? ""
        )
    }

    @Sendable
    func form(request: Request) async throws -> View {
        try await request.view.render("danos", page(request, nil))
    }

    @Sendable
    func submit(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(Form.self)) ?? Form()
        var shown = page(request, form)
        let hazard = [form.descripcion, form.direccion].compactMap { $0 }.compactMap(DamageSafety.hazard(in:)).first
        shown.safety = hazard.map { DamageSafety.instruction($0, line: shown.line) }
        do {
            guard let service = form.servicio.flatMap(DamageService.init(rawValue:)) else { throw DamageError.unknownService }
            var phone: String?
            if let typed = form.celular?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
                guard let e164 = ColombianMobile.e164(typed) else { throw DamageError.invalidPhone }
                phone = e164
            }
            let filing = DamageFiling(service: service, address: form.direccion, location: nil, description: form.descripcion ?? "",
                                      phone: phone, hazard: hazard, channel: .web)
            shown.number = try await DamageReportService(database: request.db, clock: request.application.clock).report(filing)
            return try await request.privatePage("danos", shown, status: .created)
        } catch let error as DamageError {
            shown.message = error.reason
            return try await request.privatePage("danos", shown, status: error.status)
        }
    }

    // MARK: Back office

    struct Row: Encodable {
        let number: String
        let service: String
        let place: String
        let mapURL: String?
        let description: String
        let hazard: String?
        let phone: String
        let channel: String
        let at: String
        let status: String
        let statuses: [SelectOption]
    }

    struct QueuePage: Encodable {
        let title: String
        let frame: BackOfficeController.Frame
        let rows: [Row]
        let showResolved: Bool
    }

    @Sendable
    func queue(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let showResolved = (try? request.query.get(String.self, at: "vista")) == "resueltos"
        let reports = try await DamageReportService(database: request.db, clock: request.application.clock).queue(resolved: showResolved)
        let rows = reports.map { report in
            Row(
                number: report.number, service: DamageService(rawValue: report.service)?.title ?? report.service,
                place: report.address ?? "", mapURL: report.latitude.flatMap { lat in report.longitude.map { "https://www.openstreetmap.org/?mlat=\(lat)&mlon=\($0)#map=18/\(lat)/\($0)" } },
                description: report.description,
                hazard: report.hazard.map { $0 == "gas" ? "Olor a gas" : "Cable caído" },
                phone: report.phone.map(ColombianMobile.display) ?? "—", channel: CaseChannel(rawValue: report.channel == "kiosk" ? "kiosko" : report.channel)?.title ?? report.channel,
                at: SpanishDateTime.format(report.createdAt),
                status: report.status.title,
                statuses: DamageStatus.allCases.map { .init(value: $0.rawValue, label: $0.title, selected: $0 == report.status) }
            )
        }
        return try await request.view.render("backoffice/danos", QueuePage(title: "Daños", frame: .init(staff), rows: rows, showResolved: showResolved))
    }

    struct MoveForm: Content { var estado: String? }

    @Sendable
    func move(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        guard let number = request.parameters.get("number") else { throw DamageError.notFound }
        guard let status = try request.content.decode(MoveForm.self).estado.flatMap(DamageStatus.init(rawValue:)) else { throw DamageError.unknownStatus }
        try await DamageReportService(database: request.db, clock: request.application.clock).move(number, to: status, by: staff.email)
        return request.redirect(to: "/backoffice/danos")
    }

    // MARK: Public lookup

    /// Failed lookups per address (a report number is sequential: guessing is slowed down).
    static let failuresPerAddress = RateLimit("danos.consulta.fallos", limit: 30, window: 900)

    struct LookupPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        let line: String
        var number = ""
        var message: String?
        var found: Found?

        /// What anyone with the number may see: no place, no story, no phone.
        struct Found: Encodable {
            let number: String
            let service: String
            let status: String
            let statusKey: String
            let reportedOn: String
            let updatedOn: String
        }
    }

    /// `GET /danos/consulta?numero=DAN-…`: how a report stands.
    @Sendable
    func lookup(request: Request) async throws -> Response {
        var page = LookupPage(title: "Consulta de un reporte de daño", utility: request.application.utilityProfile,
                              line: request.application.utilityProfile?.phoneLines.first?.number ?? "")
        let typed = (request.query[String.self, at: "numero"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return try await request.privatePage("danos-consulta", page) }
        page.number = String(typed.prefix(20))
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, request.clientAddress)])
        guard let report = try await DamageReportService(database: request.db, clock: request.application.clock).find(number: typed) else {
            page.message = "No encontramos un reporte con el número «\(page.number)». Revisa el número; se ve así: DAN-2026-0000123."
            return try await request.privatePage("danos-consulta", page, status: .notFound)
        }
        try await attempt.succeeded()
        page.found = .init(
            number: report.number, service: DamageService(rawValue: report.service)?.title ?? report.service,
            status: report.status.title, statusKey: report.status.rawValue,
            reportedOn: report.createdAt.bogotaStamp, updatedOn: report.updatedAt.bogotaStamp
        )
        return try await request.privatePage("danos-consulta", page)
    }
}
