import Crypto
import Fluent
import EmaCore
import Foundation
import Vapor

/// The walk-in kiosk (`/kiosco/turno`): in the office's hall, a customer who arrives without a
/// booking takes a number — general or preferential care — and, if they like, gets it by SMS.
/// Only a device the office enabled serves it (fail closed): staff press «Usar este equipo como
/// quiosco de turnos» on the office screen, which leaves a cookie signed for that office
/// (HMAC-SHA256 under a platform secret, checked in constant time); anywhere else the page says
/// how to enable it and gives no turn. «Desactivar los quioscos» turns off every device enabled
/// before that instant (a lost or copied one). A kiosk gives at most 60 turns in 10 minutes, and
/// a mobile gets at most 3 numbers by SMS an hour (a kiosk must not become a way to text anyone).
struct TurnKioskController: RouteCollection {
    static let cookie = "ema_quiosco_turnos"
    static let lifetime: TimeInterval = 400 * 86_400
    static let turns = RateLimit("turnos.quiosco", limit: 60, window: 600)
    static let textsPerNumber = RateLimit("turnos.quiosco.sms", limit: 3, window: 3_600)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("kiosco", "turno", use: show)
        routes.post("kiosco", "turno", use: issue)
        routes.get("kiosco", "sala", use: hall)
        routes.grouped("backoffice", "turnos").grouped(StaffAuthMiddleware(.agente, .supervisor, .administrador)).post("quiosco", use: enable)
        routes.grouped("backoffice", "turnos").grouped(StaffAuthMiddleware(.supervisor, .administrador)).post("quiosco", "desactivar", use: revoke)
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        /// Empty when this device is not an enabled kiosk.
        let office: String
        let options: [SelectOption]
        var error: String?
        var ticket: String?
        var ahead: String?
        var texted = false
        /// The mobile already got its texts this hour: the number is on screen only.
        var textHeld = false
        var phone = ""
    }

    // MARK: The device's word

    static func signature(office: String, issued: Int, key: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("quiosco|\(office)|\(issued)".utf8), using: key))
    }

    static func token(office: String, issued: Int, key: SymmetricKey) -> String {
        hex(Data(office.utf8)) + "." + String(issued) + "." + hex(signature(office: office, issued: issued, key: key))
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static func unhex(_ text: Substring) -> Data? {
        guard text.count % 2 == 0, text.count <= 512 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return Data(bytes)
    }

    /// The office this device serves, when its cookie is genuine, recent and names an office
    /// that still gives turns.
    static func office(_ request: Request) async throws -> String? {
        guard let value = request.cookies[cookie]?.string else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let name = unhex(parts[0]), let office = String(data: name, encoding: .utf8),
              let issued = Int(parts[1]), let mac = unhex(parts[2])
        else { return nil }
        let app = request.application
        let key = try await app.turnKioskKey.value(app.db)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("quiosco|\(office)|\(issued)".utf8), using: key),
              Double(issued) + lifetime > app.clock.now().timeIntervalSince1970,
              app.turnService().offices.contains(office)
        else { return nil }
        let revoked = try await request.db.sql.raw("SELECT revoked_at FROM turn_kiosk_revocations WHERE office = \(bind: office)").first()?
            .decode(column: "revoked_at", as: Int.self)
        if let revoked, issued <= revoked { return nil }
        return office
    }

    // MARK: Routes

    /// `POST /backoffice/turnos/quiosco`: this browser becomes the office's kiosk.
    @Sendable
    func enable(request: Request) async throws -> Response {
        let office = try request.content.decode(OfficeScreenController.OfficeForm.self).oficina ?? ""
        let app = request.application
        guard app.turnService().offices.contains(office) else { throw TurnError.unknownOffice }
        let issued = Int(app.clock.now().timeIntervalSince1970)
        let staff = try request.requireStaff()
        try await app.staffService().audit(staff.accountID, email: staff.email, "quiosco_activado", subject: office, detail: "")
        let response = request.redirect(to: "/kiosco/turno")
        response.cookies[Self.cookie] = HTTPCookies.Value(
            string: Self.token(office: office, issued: issued, key: try await app.turnKioskKey.value(app.db)),
            maxAge: Int(Self.lifetime), path: "/kiosco", isSecure: Request.isHTTPS(app), isHTTPOnly: true, sameSite: .strict
        )
        return response
    }

    /// `POST /backoffice/turnos/quiosco/desactivar`: every kiosk of the office enabled until now
    /// stops giving turns (supervisors and administrators).
    @Sendable
    func revoke(request: Request) async throws -> Response {
        let office = try request.content.decode(OfficeScreenController.OfficeForm.self).oficina ?? ""
        let app = request.application
        guard app.turnService().offices.contains(office) else { throw TurnError.unknownOffice }
        let staff = try request.requireStaff()
        let now = Int(app.clock.now().timeIntervalSince1970)
        try await request.db.sql.raw("""
            INSERT INTO turn_kiosk_revocations (office, revoked_at) VALUES (\(bind: office), \(bind: now))
            ON CONFLICT (office) DO UPDATE SET revoked_at = excluded.revoked_at
            """).run()
        try await app.staffService().audit(staff.accountID, email: staff.email, "quioscos_desactivados", subject: office, detail: "")
        return try await OfficeScreenController().render(request, office: office, message: "Desactivamos los quioscos de turnos de \(office). Para volver a usar uno, actívalo de nuevo desde su equipo.")
    }

    func page(_ request: Request, office: String?) throws -> Page {
        Page(title: "Pide tu turno", utility: try request.utility(), office: office ?? "",
             options: [SelectOption(value: "", label: "No, atención general", selected: true)]
                + PreferentialCare.allCases.map { SelectOption(value: $0.rawValue, label: $0.title, selected: false) })
    }

    @Sendable
    func show(request: Request) async throws -> Response {
        let office = try await Self.office(request)
        return try await request.view.render("kiosco-turno", page(request, office: office)).encodeResponse(status: office == nil ? .forbidden : .ok, for: request)
    }

    struct Form: Content {
        var atencion: String?
        var celular: String?
    }

    @Sendable
    func issue(request: Request) async throws -> Response {
        guard let office = try await Self.office(request) else {
            return try await request.view.render("kiosco-turno", page(request, office: nil)).encodeResponse(status: .forbidden, for: request)
        }
        try request.refuseFormFromAnotherSite()
        var form = try request.content.decode(Form.self)
        var result = try page(request, office: office)
        result.phone = form.celular ?? ""
        let care = form.atencion.flatMap { $0.isEmpty ? nil : PreferentialCare(rawValue: $0) }
        let app = request.application
        do {
            try await request.rateLimits.enforce(Self.turns, office)
            // A number that already got its 3 texts this hour gets the turn on screen only.
            var held = false
            if let mobile = form.celular.flatMap(ColombianMobile.e164), try await request.rateLimits.take(Self.textsPerNumber, mobile) != nil {
                form.celular = nil
                held = true
            }
            let walkIn = try await app.turnService().walkIn(office: office, preferential: care, phone: form.celular, sms: app.smsOutbox(), utilityName: try request.utility().shortName)
            result.ticket = walkIn.turn.ticket
            result.ahead = Self.ahead(walkIn.ahead)
            result.texted = walkIn.texted
            result.textHeld = held
            result.phone = ""
        } catch let error as TurnError {
            result.error = error.reason
        } catch PlatformError.rateLimited {
            result.error = "El quiosco entregó muchos turnos seguidos. Acércate a la ventanilla de información y allí te damos tu turno."
        }
        return try await request.view.render("kiosco-turno", result).encodeResponse(status: result.error == nil ? .ok : .badRequest, for: request)
    }

    struct HallPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let office: String
        /// Called now (newest first), and the next to be called.
        let calling: [String]
        let next: [String]
        let waiting: Int
    }

    /// `GET /kiosco/sala`: the hall's screen on an enabled device — the numbers being called
    /// and the next ones, read again every 10 seconds. Numbers only: no names, no phones.
    @Sendable
    func hall(request: Request) async throws -> Response {
        guard let office = try await Self.office(request) else {
            return try await request.view.render("kiosco-turno", page(request, office: nil)).encodeResponse(status: .forbidden, for: request)
        }
        let app = request.application
        let today = app.clock.today.description
        let turns = try await OfficeTurn.query(on: request.db).filter(\.$office == office).filter(\.$day == today)
            .filter(\.$status ~~ [TurnStatus.called, .inAttention, .reserved]).all()
        let calling = turns.filter { $0.status == .called }
            .sorted { ($0.calledAt ?? $0.createdAt) > ($1.calledAt ?? $1.createdAt) }.prefix(6).map(Self.hallLabel)
        let waiting = TurnService.order(turns.filter { $0.status == .reserved }, now: app.clock.now())
        return try await request.view.render("kiosco-sala", HallPage(
            title: "Turnos", utility: try request.utility(), office: office, calling: Array(calling),
            next: waiting.prefix(5).map(Self.hallLabel), waiting: waiting.count
        )).encodeResponse(for: request)
    }

    /// How the hall shows a turn: a walk-in's number, or a booking by its time — never a booked
    /// turn's code, which is what cancels it.
    static func hallLabel(_ turn: OfficeTurn) -> String {
        turn.ticket ?? "Cita \(turn.slot)"
    }

    static func ahead(_ count: Int) -> String {
        count == 0 ? "Sigues tú." : "\(count == 1 ? "Hay 1 persona" : "Hay \(SpanishNumber.integer(count)) personas") antes que tú."
    }
}

extension Application {
    private struct TurnKioskKeyKey: StorageKey { typealias Value = PlatformKey }

    /// Signs the kiosks' cookies (made at first use, shared by every node through the database).
    var turnKioskKey: PlatformKey {
        if let key = storage[TurnKioskKeyKey.self] { return key }
        let key = PlatformKey(name: "turn_kiosk")
        storage[TurnKioskKeyKey.self] = key
        return key
    }
}
