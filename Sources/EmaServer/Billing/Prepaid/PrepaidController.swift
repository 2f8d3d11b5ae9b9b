import EmaCore
import Fluent
import Foundation
import Vapor

/// `/prepago`: a prepaid meter's recharges and their PINs, for whoever proves the mobile
/// registered for the meter (an SMS code sent to it: the number is never shown whole), and the
/// meter's certificate as a PDF with a verification code.
struct PrepaidController: RouteCollection {
    static let lookups = RateLimit("prepago.consulta", limit: 20, window: 600)
    static let failuresPerAddress = RateLimit("prepago.codigo.direccion", limit: 10, window: 3_600)
    static let failuresPerMeter = RateLimit("prepago.codigo.medidor", limit: 5, window: 3_600)
    /// How long the certificate's link works after the code was checked.
    static let linkLifetime: TimeInterval = 30 * 60

    func boot(routes: any RoutesBuilder) throws {
        routes.get("prepago", use: start)
        routes.post("prepago", "codigo", use: sendCode)
        routes.post("prepago", "consulta", use: consult)
        routes.get("prepago", "certificado", ":token", use: certificate)
    }

    struct Row: Encodable {
        let at: String
        let amount: String
        let units: String
        let pin: String
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        /// `medidor`, `codigo` or `recargas`.
        var stage = "medidor"
        var meter = ""
        var shownPhone = ""
        var service = ""
        var contract = ""
        var rows: [Row] = []
        var certificate: String?
        var message: String?
        var error: String?
    }

    func page(_ request: Request, status: HTTPResponseStatus = .ok, _ change: (inout Page) -> Void) async throws -> Response {
        var page = Page(title: "Energía y agua prepago · \(try request.utility().shortName)", utility: try request.utility())
        change(&page)
        return try await request.privatePage("prepago", page, status: status)
    }

    @Sendable
    func start(request: Request) async throws -> Response {
        try await page(request) { _ in }
    }

    struct Form: Content {
        var medidor: String?
        var codigo: String?
    }

    /// The meter of the form, counted against the lookups of this client.
    func meter(_ request: Request) async throws -> (PrepaidStore.Meter?, String) {
        try request.refuseFormFromAnotherSite()
        let typed = ((try? request.content.decode(Form.self))?.medidor ?? "").filter { $0.isNumber }
        guard (6...20).contains(typed.count) else { return (nil, typed) }
        try await request.rateLimits.enforce(Self.lookups, request.clientAddress)
        return (try await PrepaidStore(database: request.db).meter(number: typed), typed)
    }

    static func shown(_ mobile: String) -> String { "*** *** " + String(mobile.suffix(4)) }

    @Sendable
    func sendCode(request: Request) async throws -> Response {
        let (meter, typed) = try await meter(request)
        guard let meter else {
            return try await page(request, status: typed.count < 6 ? .badRequest : .notFound) {
                $0.meter = typed
                $0.error = typed.count < 6 ? "Escribe el número del medidor: de 6 a 20 dígitos, como aparece en el medidor o en el recibo de tu recarga."
                    : "No encontramos el medidor \(typed). Revisa el número en el medidor o en el recibo de tu recarga."
            }
        }
        let issue = try await request.application.assistantEffects(client: request.clientAddress).sendCode(to: meter.mobile)
        let refusal = issue.refusal(shownPhone: Self.shown(meter.mobile), elsewhere: "Te atendemos en la línea de atención o en una oficina.")
        if issue.blocks { return try await page(request, status: issue.status) { $0.meter = typed; $0.error = refusal } }
        return try await page(request) {
            $0.stage = "codigo"
            $0.message = refusal
            $0.meter = meter.number
            $0.shownPhone = Self.shown(meter.mobile)
        }
    }

    @Sendable
    func consult(request: Request) async throws -> Response {
        let (meter, typed) = try await meter(request)
        guard let meter else { return try await page(request, status: .badRequest) { $0.meter = typed } }
        let client = request.clientAddress
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, client), (Self.failuresPerMeter, "\(meter.number)|\(client)")])
        let code = ((try? request.content.decode(Form.self))?.codigo ?? "").filter(\.isNumber)
        let checked = try await request.application.assistantEffects(client: client).checkCode(phone: meter.mobile, code: code)
        if let problem = checked.problem {
            return try await page(request, status: .badRequest) {
                $0.stage = "codigo"; $0.meter = meter.number; $0.shownPhone = Self.shown(meter.mobile); $0.error = problem
            }
        }
        try await attempt.succeeded()
        let recharges = try await PrepaidStore(database: request.db).recharges(of: meter)
        try await PrepaidPinViews.record(meter: meter.id, channel: "sitio_web", at: request.application.clock.now(), on: request.db)
        let contract = try await Contract.find(meter.contractID, on: request.db)
        let token = try await Self.links.make(meter.id, expiry: request.application.clock.now().addingTimeInterval(Self.linkLifetime), request.db)
        return try await page(request) {
            $0.stage = "recargas"
            $0.meter = meter.number
            $0.service = meter.service == .energia ? "Energía prepago" : "Agua prepago"
            $0.contract = contract?.contractNumber ?? ""
            $0.rows = recharges.map { Row(at: Self.readable($0.at), amount: Money.format(cop: $0.amountCOP), units: Self.units($0.units, meter.service), pin: Self.grouped($0.pin)) }
            $0.certificate = "/prepago/certificado/\(token)"
            $0.message = recharges.isEmpty ? "Este medidor todavía no tiene recargas registradas." : nil
        }
    }

    /// `2026-12-01 14:05` → `1 de diciembre de 2026, 2:05 p. m.`
    static func readable(_ at: String) -> String {
        let parts = at.split(separator: " ")
        guard parts.count == 2, let day = CivilDate(parts[0]) else { return at }
        return "\(day.displayName), \(TurnSlot(time: String(parts[1]), left: 0).spoken)"
    }

    static func units(_ value: String, _ service: PrepaidRow.Service) -> String {
        "\(value.replacingOccurrences(of: ".", with: ",")) \(service == .energia ? "kWh" : "m³")"
    }

    /// A PIN in groups of four, as meters show it.
    static func grouped(_ pin: String) -> String {
        stride(from: 0, to: pin.count, by: 4).map { start in
            let from = pin.index(pin.startIndex, offsetBy: start)
            return String(pin[from..<pin.index(from, offsetBy: min(4, pin.count - start))])
        }.joined(separator: " ")
    }

    // MARK: The certificate

    /// The certificate's link: the meter, signed, for half an hour.
    static var links: SignedLink { SignedLink(key: PlatformKey(name: "prepago-certificado")) }

    @Sendable
    func certificate(request: Request) async throws -> Response {
        let token = (request.parameters.get("token") ?? "").replacingOccurrences(of: ".pdf", with: "")
        guard let id = try await Self.links.read(token, now: request.application.clock.now(), request.db),
              let meter = try await PrepaidStore(database: request.db).meter(id: id),
              let contract = try await Contract.find(meter.contractID, on: request.db)
        else { throw PrepaidError.linkExpired }
        let recharges = try await PrepaidStore(database: request.db).recharges(of: meter, limit: 1_000)
        let yearAgo = request.application.clock.today.adding(days: -365).description
        let recent = recharges.filter { $0.at >= yearAgo }
        let service = meter.service == .energia ? "Energía prepago" : "Agua prepago"
        let record = try await Certificates.issue(kind: "prepago", title: "Certificado de \(service.lowercased())", lines: [
            .init(label: "Medidor", value: meter.number), .init(label: "Servicio", value: service),
            .init(label: "Contrato", value: contract.contractNumber), .init(label: "Titular", value: Masking.name(contract.holderName)),
            .init(label: "Recargas en los últimos 12 meses", value: "\(recent.count), por \(Money.format(cop: recent.reduce(0) { $0 + $1.amountCOP }).replacingOccurrences(of: " ", with: "\u{00A0}"))"),
        ], now: request.application.clock.now(), on: request.db)
        let pdf = PrepaidCertificate.render(record, meter: meter, contract: contract, recharges: recent, utility: try request.utility(),
                                            publicURL: request.application.emaConfig.publicURL)
        return .pdf(pdf, filename: "certificado-prepago-\(meter.number).pdf")
    }
}

enum PrepaidError: EmaError {
    case linkExpired

    var status: HTTPResponseStatus { .notFound }
    var code: String { "certificate_link_expired" }
    var reason: String { "Este enlace del certificado ya no funciona (dura 30 minutos). Consulta tu medidor de nuevo en la página de prepago para descargarlo." }
}

/// The prepaid certificate: the meter, its contract and holder, the last year's recharges and
/// their total, and the verification code.
enum PrepaidCertificate {
    static func render(_ record: Certificates.Record, meter: PrepaidStore.Meter, contract: Contract, recharges: [PrepaidStore.Recharge],
                       utility: UtilityProfile, publicURL: String) -> [UInt8] {
        var pdf = PDFWriter()
        var y = pdf.letterhead(utility, title: record.title, subtitle: "Medidor \(meter.number)")
        y = pdf.paragraph("\(utility.legalName) certifica que el medidor prepago N.º \(meter.number), del contrato \(contract.contractNumber) a nombre de \(contract.holderName) (\(Masking.address(contract.address)), \(contract.municipality)), registra estas recargas en los últimos doce meses:",
                          x: 40, y: y, columns: 100, size: 10) - 6
        let rows = recharges.prefix(24).map { ($0.at, "\(Money.format(cop: $0.amountCOP)) · \(PrepaidController.units($0.units, meter.service))") }
        y = pdf.lines(rows.isEmpty ? [("—", "Sin recargas en el periodo")] : Array(rows), y: y, valueX: 200) - 10
        pdf.amountBand("Total recargado", Money.format(cop: recharges.reduce(0) { $0 + $1.amountCOP }), y: max(y, 220))
        Certificates.footer(record, publicURL: publicURL, pdf: &pdf)
        return pdf.document(title: "\(record.title) \(meter.number)")
    }
}
