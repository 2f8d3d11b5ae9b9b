import EmaCore
import Fluent
import Foundation
import Vapor

/// `/somos`: the SOMOS card's certificates — the debt certificate (the balance of today) and the
/// income-tax certificate of a year (balance on 31 December, interest and payments of the year)
/// — for the holder who gives the cédula and the card's last four digits and proves the card's
/// registered mobile with an SMS code. Each PDF carries a verification code.
struct SomosController: RouteCollection {
    static let lookups = RateLimit("somos.consulta", limit: 20, window: 600)
    static let failuresPerAddress = RateLimit("somos.codigo.direccion", limit: 10, window: 3_600)
    static let failuresPerCard = RateLimit("somos.codigo.tarjeta", limit: 5, window: 3_600)
    static var links: SignedLink { SignedLink(key: PlatformKey(name: "somos-certificado")) }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("somos", use: start)
        routes.post("somos", "codigo", use: sendCode)
        routes.post("somos", "consulta", use: consult)
        routes.get("somos", "certificado", ":token", use: certificate)
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        /// `tarjeta`, `codigo` or `certificados`.
        var stage = "tarjeta"
        var holderID = ""
        var last4 = ""
        var shownPhone = ""
        var balance = ""
        var debtURL = ""
        var taxURLs: [TaxLink] = []
        /// The restructuring's page, when the utility offers it.
        var restructureURL: String?
        var message: String?
        var error: String?
    }

    struct TaxLink: Encodable {
        let year: Int
        let url: String
    }

    struct Form: Content {
        var cedula: String?
        var ultimos: String?
        var codigo: String?
    }

    func page(_ request: Request, status: HTTPResponseStatus = .ok, _ change: (inout Page) -> Void) async throws -> Response {
        var page = Page(title: "Certificados de la tarjeta SOMOS · \(try request.utility().shortName)", utility: try request.utility())
        change(&page)
        return try await request.privatePage("somos", page, status: status)
    }

    @Sendable
    func start(request: Request) async throws -> Response {
        try await page(request) { _ in }
    }

    /// The card of the form (cédula and last four digits), counted against this client's lookups.
    func card(_ request: Request) async throws -> (SomosStore.Card?, Form) {
        try request.refuseFormFromAnotherSite()
        var form = (try? request.content.decode(Form.self)) ?? Form()
        form.cedula = String((form.cedula ?? "").filter(\.isNumber).prefix(12))
        form.ultimos = String((form.ultimos ?? "").filter(\.isNumber).prefix(4))
        guard (5...12).contains(form.cedula!.count), form.ultimos!.count == 4 else { return (nil, form) }
        try await request.rateLimits.enforce(Self.lookups, request.clientAddress)
        return (try await SomosStore(database: request.db).card(holderID: form.cedula!, last4: form.ultimos!), form)
    }

    @Sendable
    func sendCode(request: Request) async throws -> Response {
        let (card, form) = try await card(request)
        guard let card else {
            return try await page(request, status: .notFound) {
                $0.holderID = form.cedula ?? ""; $0.last4 = form.ultimos ?? ""
                $0.error = "No encontramos una tarjeta SOMOS con esa cédula y esos últimos cuatro dígitos. Revísalos en tu tarjeta o en tu extracto."
            }
        }
        let issue = try await request.application.assistantEffects(client: request.clientAddress).sendCode(to: card.mobile)
        let refusal = issue.refusal(shownPhone: PrepaidController.shown(card.mobile), elsewhere: "Te atendemos en la línea de atención o en una oficina.")
        if issue.blocks { return try await page(request, status: issue.status) { $0.error = refusal } }
        return try await page(request) {
            $0.stage = "codigo"; $0.message = refusal; $0.holderID = form.cedula ?? ""; $0.last4 = card.last4; $0.shownPhone = PrepaidController.shown(card.mobile)
        }
    }

    @Sendable
    func consult(request: Request) async throws -> Response {
        let (found, form) = try await card(request)
        guard let card = found else { return try await page(request, status: .badRequest) { _ in } }
        let client = request.clientAddress
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, client), (Self.failuresPerCard, "\(card.id)|\(client)")])
        let checked = try await request.application.assistantEffects(client: client).checkCode(phone: card.mobile, code: (form.codigo ?? "").filter(\.isNumber))
        if let problem = checked.problem {
            return try await page(request, status: .badRequest) {
                $0.stage = "codigo"; $0.holderID = form.cedula ?? ""; $0.last4 = card.last4; $0.shownPhone = PrepaidController.shown(card.mobile); $0.error = problem
            }
        }
        try await attempt.succeeded()
        let movements = try await SomosStore(database: request.db).movements(of: card)
        let token = try await Self.links.make(card.id, expiry: request.application.clock.now().addingTimeInterval(PrepaidController.linkLifetime), request.db)
        let years = Set(movements.map(\.date.year)).filter { $0 < request.application.clock.today.year }.sorted(by: >)
        return try await page(request) {
            $0.stage = "certificados"
            $0.last4 = card.last4
            $0.balance = Money.format(cop: SomosStatement.balance(movements, on: request.application.clock.today))
            $0.debtURL = "/somos/certificado/\(token)?tipo=deuda"
            $0.taxURLs = years.map { TaxLink(year: $0, url: "/somos/certificado/\(token)?tipo=renta&anio=\($0)") }
            if request.application.utilityProfile?.somos?.restructuring != nil { $0.restructureURL = "/somos/reestructuracion/\(token)" }
        }
    }

    @Sendable
    func certificate(request: Request) async throws -> Response {
        let now = request.application.clock.now()
        guard let id = try await Self.links.read(request.parameters.get("token") ?? "", now: now, request.db),
              let card = try await SomosStore(database: request.db).card(id: id) else { throw PrepaidError.linkExpired }
        let movements = try await SomosStore(database: request.db).movements(of: card)
        let today = request.application.clock.today
        let holder = [Certificates.Record.Line(label: "Tarjeta", value: "SOMOS terminada en \(card.last4)"),
                      .init(label: "Titular", value: Masking.name(card.holderName))]
        let record: Certificates.Record
        var body: [(String, String)]
        if (try? request.query.get(String.self, at: "tipo")) == "renta" {
            let year = (try? request.query.get(Int.self, at: "anio")) ?? 0
            guard let figures = SomosStatement.taxYear(movements, year: year) else { throw SomosError.noYear(year) }
            body = [("Saldo al 31 de diciembre de \(year)", Money.format(cop: figures.balance)),
                    ("Intereses causados en \(year)", Money.format(cop: figures.interest)),
                    ("Pagos recibidos en \(year)", Money.format(cop: figures.payments))]
            record = try await Certificates.issue(kind: "somos_renta", title: "Certificado SOMOS para declaración de renta \(year)",
                                                  lines: holder + body.map { .init(label: $0.0, value: $0.1) }, now: now, on: request.db)
        } else {
            body = [("Saldo adeudado al \(today.displayName)", Money.format(cop: SomosStatement.balance(movements, on: today)))]
            record = try await Certificates.issue(kind: "somos_deuda", title: "Certificado de deuda de la tarjeta SOMOS",
                                                  lines: holder + body.map { .init(label: $0.0, value: $0.1) }, now: now, on: request.db)
        }
        var pdf = PDFWriter()
        var y = pdf.letterhead(try request.utility(), title: record.title.count > 34 ? "Certificado SOMOS" : record.title, subtitle: "Tarjeta terminada en \(card.last4)")
        y = pdf.paragraph("\(try request.utility().legalName) certifica que \(card.holderName), titular de la tarjeta SOMOS terminada en \(card.last4), registra:",
                          x: 40, y: y, columns: 100) - 6
        _ = pdf.lines(body, y: y, valueX: 300)
        Certificates.footer(record, publicURL: request.application.emaConfig.publicURL, pdf: &pdf)
        return .pdf(pdf.document(title: record.title), filename: "certificado-somos-\(card.last4).pdf")
    }
}

enum SomosError: EmaError, Equatable {
    case noYear(Int)
    case restructuringUnavailable

    var status: HTTPResponseStatus { self == .restructuringUnavailable ? .serviceUnavailable : .notFound }
    var code: String { self == .restructuringUnavailable ? "restructuring_unavailable" : "no_movements_in_year" }
    var reason: String {
        switch self {
        case .noYear(let year): "La tarjeta no tiene movimientos en \(year): no hay datos para el certificado de ese año."
        case .restructuringUnavailable: "Por ahora la reestructuración de la tarjeta SOMOS no está disponible por este medio. Te atendemos en la línea de atención o en una oficina."
        }
    }
}
