import Crypto
import EmaCore
import Fluent
import Foundation
import Vapor

/// The holder's rights on the web (`/datos-personales`): the number verified by an SMS code,
/// then each right as a form; and the copy of the data behind the link Ema gives
/// (`/datos-personales/copia/{token}`), as a page to read or print, or as JSON.
struct DataRightsController: RouteCollection {
    /// Failed lookups (a wrong code, a copy link that does not exist): 30 per address every 15
    /// minutes and 10 per number and address an hour; never per number alone, so nobody can
    /// lock a holder out of their own rights.
    static let failuresPerAddress = RateLimit("datos.fallos.direccion", limit: 30, window: 900)
    static let failuresPerNumber = RateLimit("datos.fallos.numero_direccion", limit: 10, window: 3_600)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("datos-personales", use: start)
        routes.post("datos-personales", "codigo", use: sendCode)
        routes.post("datos-personales", "verificar", use: verify)
        routes.post("datos-personales", "solicitud", use: exercise)
        routes.get("datos-personales", "copia", ":token", use: copy)
    }

    /// What the page shows: `inicio` (the number), `codigo` (the code sent to it), `derechos`
    /// (verified: the forms), `codigo_nuevo` (the code sent to a new number), `hecho`.
    struct RightsPage: Encodable {
        let title = "Tus datos personales"
        let utility: UtilityProfile?
        var stage = "inicio"
        var phone = ""
        var shownPhone = ""
        var session = ""
        var newPhone = ""
        var policyURL = ""
        var message: String?
        var done: String?
        var link: String?
    }

    struct Form: Content {
        var celular: String?
        var codigo: String?
        var sesion: String?
        var accion: String?
        var nombre: String?
        var nuevo: String?
        var detalle: String?
        var confirmo: String?
    }

    static let sessionLifetime: TimeInterval = 15 * 60

    func page(_ request: Request, _ change: (inout RightsPage) -> Void, status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = RightsPage(utility: request.application.utilityProfile)
        page.policyURL = request.application.legalDocuments.privacy.url
        change(&page)
        return try await request.privatePage("datos-personales", page, status: status)
    }

    /// A verified holder, for a quarter of an hour: `phone.expiry.mac`, an HMAC under a platform
    /// secret, so the browser cannot swap the number.
    func session(for phone: String, _ request: Request) async throws -> String {
        let expiry = Int(request.application.clock.now().addingTimeInterval(Self.sessionLifetime).timeIntervalSince1970)
        return "\(phone).\(expiry).\(try await mac("\(phone).\(expiry)", request))"
    }

    func mac(_ text: String, _ request: Request) async throws -> String {
        let key = SymmetricKey(data: try await PlatformSecret.value(named: "data_rights", database: request.db))
        return Hex.string(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    func holder(of session: String?, _ request: Request) async throws -> String? {
        let parts = (session ?? "").split(separator: ".").map(String.init)
        guard parts.count == 3, let expiry = Double(parts[1]), expiry > request.application.clock.now().timeIntervalSince1970 else { return nil }
        let expected = try await mac("\(parts[0]).\(parts[1])", request)
        return ConstantTime.equals(Array(parts[2].utf8), Array(expected.utf8)) ? parts[0] : nil
    }

    /// A session from before a suppression of its number opens nothing more.
    func suppressed(_ phone: String, since session: String?, _ request: Request) async throws -> Bool {
        guard let expiry = (session ?? "").split(separator: ".").dropFirst().first.flatMap({ Double($0) }) else { return true }
        let issued = Date(timeIntervalSince1970: expiry - Self.sessionLifetime)
        return try await DataRequest.query(on: request.db).filter(\.$right == "suprimir").filter(\.$phoneKey == DataRequest.phoneKey(phone, on: request.db))
            .filter(\.$receivedAt >= issued).count() > 0
    }

    func form(_ request: Request) throws -> Form {
        try request.refuseFormFromAnotherSite()
        return (try? request.content.decode(Form.self)) ?? Form()
    }

    @Sendable
    func start(request: Request) async throws -> Response {
        try await page(request) { _ in }
    }

    /// The reason a code was not sent, for people; nil when it was.
    static func refusal(_ issue: CodeIssue, _ phone: String) -> String? {
        issue.refusal(shownPhone: ColombianMobile.display(phone), elsewhere: "Puedes ejercer tus derechos en una oficina o por la línea de atención.")
    }

    /// The page that asks for the code sent to `phone`: the holder's (`codigo`), or a new number
    /// while a verified holder changes it (`codigo_nuevo`, with the session).
    func codePage(_ request: Request, phone: String, session: String? = nil, message: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await page(request, { page in
            page.stage = session == nil ? "codigo" : "codigo_nuevo"
            page.phone = phone
            page.newPhone = phone
            page.session = session ?? ""
            page.shownPhone = ColombianMobile.display(phone)
            page.message = message
        }, status: status)
    }

    @Sendable
    func sendCode(request: Request) async throws -> Response {
        let form = try form(request)
        guard let phone = form.celular.flatMap(ColombianMobile.e164) else {
            return try await page(request, { $0.message = "Escribe un celular colombiano de 10 dígitos, por ejemplo 300 123 4567." }, status: .badRequest)
        }
        let issue = try await request.application.assistantEffects(client: request.clientAddress).sendCode(to: phone)
        if issue.blocks, let refusal = Self.refusal(issue, phone) {
            return try await page(request, { $0.message = refusal }, status: .tooManyRequests)
        }
        return try await codePage(request, phone: phone, message: Self.refusal(issue, phone))
    }

    @Sendable
    func verify(request: Request) async throws -> Response {
        let form = try form(request)
        guard let phone = form.celular.flatMap(ColombianMobile.e164) else { return try await start(request: request) }
        let client = request.clientAddress
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, client), (Self.failuresPerNumber, "\(phone)|\(client)")])
        let result = try await request.application.assistantEffects(client: client).checkCode(phone: phone, code: (form.codigo ?? "").filter(\.isNumber))
        if let problem = result.problem { return try await codePage(request, phone: phone, message: problem, status: .badRequest) }
        try await attempt.succeeded()
        let session = try await session(for: phone, request)
        return try await page(request) { page in
            page.stage = "derechos"
            page.session = session
            page.shownPhone = ColombianMobile.display(phone)
        }
    }

    @Sendable
    func exercise(request: Request) async throws -> Response {
        let form = try form(request)
        guard let phone = try await holder(of: form.sesion, request), try await !suppressed(phone, since: form.sesion, request) else {
            return try await page(request, { $0.message = "Tu verificación venció (dura 15 minutos). Verifica tu número de nuevo." }, status: .forbidden)
        }
        let effects = request.application.assistantEffects(client: request.clientAddress)
        func again(_ message: String) async throws -> Response {
            try await page(request, { page in
                page.stage = "derechos"
                page.session = form.sesion ?? ""
                page.shownPhone = ColombianMobile.display(phone)
                page.message = message
            }, status: .badRequest)
        }
        func ask(_ action: DataRightRequest.Action) async throws -> DataRightReceipt {
            try await effects.exerciseDataRight(DataRightRequest(action: action, phone: phone, channel: .web, conversationID: "datos-personales"))
        }
        let receipt: DataRightReceipt
        var done: String
        switch form.accion {
        case "conocer":
            receipt = try await ask(.know)
            done = "Registramos tu consulta. Esta es la copia de todo lo que guardamos asociado a tu número; el enlace funciona durante 7 días."
        case "nombre":
            guard let name = PersonName.clean(form.nombre ?? "") else {
                return try await again("Escribe tu nombre completo, con nombres y apellidos y solo letras.")
            }
            receipt = try await ask(.rename(name))
            done = receipt.contracts.isEmpty
                ? "Tu número no tiene inscripciones activas, así que no guardamos un nombre que cambiar. Si otro dato está mal, usa «Corregir otro dato»."
                : "Actualizamos tu nombre a «\(name)» en los contratos \(receipt.contracts.joined(separator: ", "))."
        case "numero":
            guard let new = form.nuevo.flatMap(ColombianMobile.e164), new != phone else {
                return try await again("Escribe el número nuevo: un celular colombiano de 10 dígitos, distinto del actual.")
            }
            let issue = try await effects.sendCode(to: new)
            if issue.blocks, let refusal = Self.refusal(issue, new) { return try await again(refusal) }
            return try await codePage(request, phone: new, session: form.sesion ?? "")
        case "numero_codigo":
            guard let new = form.nuevo.flatMap(ColombianMobile.e164) else { return try await again("Escribe el número nuevo.") }
            if let problem = try await effects.checkCode(phone: new, code: (form.codigo ?? "").filter(\.isNumber)).problem {
                return try await codePage(request, phone: new, session: form.sesion ?? "", message: problem, status: .badRequest)
            }
            receipt = try await ask(.renumber(new))
            if let refusal = receipt.refusal { return try await again(refusal) }
            done = receipt.contracts.isEmpty ? "Verificamos el número nuevo; no tenías contratos inscritos para pasar." : "Desde ahora la factura de los contratos \(receipt.contracts.joined(separator: ", ")) llegará al \(ColombianMobile.display(new))."
        case "corregir":
            let detail = (form.detalle ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard detail.count >= 10 else { return try await again("Cuéntanos qué dato está equivocado y cuál es el correcto.") }
            receipt = try await ask(.correct(String(detail.prefix(1_000))))
            done = "Radicamos tu reclamo. Lo revisa una persona de nuestro equipo y te responde por mensaje de texto\(receipt.dueOn.map { " a más tardar el \($0.displayName)" } ?? "")."
        case "suprimir", "revocar":
            guard form.confirmo == "si" else { return try await again("Marca la casilla de confirmación para continuar.") }
            if form.accion == "revocar" {
                receipt = try await ask(.revoke)
                done = "Revocamos tu autorización para tratar tus datos personales." + (receipt.contracts.isEmpty ? "" : " Terminamos tus inscripciones de los contratos \(receipt.contracts.joined(separator: ", ")); la factura te seguirá llegando por tu canal habitual (impresa o por correo).")
            } else {
                receipt = try await ask(.suppress)
                done = "Suprimimos tus datos personales: tus conversaciones, tu nombre y tu número ya no están en nuestros sistemas. Las PQR y los pagos quedaron sin tu nombre ni tu número."
            }
        default:
            return try await again("Elige qué quieres hacer con tus datos.")
        }
        return try await page(request) { page in
            page.stage = "hecho"
            page.done = "\(done) Número de solicitud: \(receipt.code)."
            page.link = receipt.link
            // A suppression or a revocation ends what the verification allowed.
            if form.accion == "conocer" || form.accion == "nombre" || form.accion == "numero_codigo" || form.accion == "corregir" {
                page.session = form.sesion ?? ""
                page.shownPhone = ColombianMobile.display(phone)
            }
        }
    }

    struct CopyPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        var phone: String?
        var madeAt: String?
        var sections: [HolderCopy.Section] = []
        var message: String?
    }

    @Sendable
    func copy(request: Request) async throws -> Response {
        let service = request.application.dataRightsService()
        let attempt = try await request.rateLimits.attempt([(Self.failuresPerAddress, request.clientAddress)])
        guard let copy = try await service.copy(token: request.parameters.get("token") ?? "") else {
            var page = CopyPage(title: "Copia de tus datos personales", utility: request.application.utilityProfile)
            page.message = "Este enlace no existe o ya venció (funciona 7 días). Pídele a Ema una copia nueva: escribe «mis datos personales»."
            return try await request.privatePage("datos-copia", page, status: .notFound)
        }
        try await attempt.succeeded()
        if request.query[String.self, at: "formato"] == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let response = Response(status: .ok, body: .init(data: try encoder.encode(copy)))
            response.headers.contentType = .json
            response.headers.cacheControl = .init(noStore: true)
            response.headers.add(name: .contentDisposition, value: "attachment; filename=\"mis-datos.json\"")
            return response
        }
        var page = CopyPage(title: "Copia de tus datos personales", utility: request.application.utilityProfile)
        page.phone = ColombianMobile.display(copy.phone)
        page.madeAt = copy.madeAt.bogotaStamp
        page.sections = copy.sections
        return try await request.privatePage("datos-copia", page)
    }
}
