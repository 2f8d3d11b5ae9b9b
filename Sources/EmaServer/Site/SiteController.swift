import EmaCore
import Fluent
import Vapor

/// The public pages: home, chat, kiosk, legal texts, and the demo's SMS outbox.
struct SiteController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("chat", use: chat)
        routes.get("oficinas", use: offices)
        routes.get("kiosco", use: kiosk)
        routes.get("legal", "privacidad") { try await legal($0, $0.application.legalDocuments.privacy, appendix: [Self.retentionInForce($0.application.emaConfig)]) }
        routes.get("legal", "terminos") { try await legal($0, $0.application.legalDocuments.terms) }
        routes.get("legal", "promociones") { try await legal($0, $0.application.legalDocuments.promotions) }
        routes.get("sandbox", "sms", use: sandboxSMS)
    }

    struct OfficeGroup: Encodable {
        let municipality: String
        let offices: [UtilityProfile.Office]
    }

    struct HomePage: Encodable {
        let title: String
        let utility: UtilityProfile
        let officeGroups: [OfficeGroup]
        let officeCount: Int
        let isDemo: Bool
    }

    struct SimplePage: Encodable {
        let title: String
        let utility: UtilityProfile
        var idleSeconds = 90
        var confirmSeconds = 20
        /// The office whose walk-in turns this kiosk gives, when enabled.
        var turnOffice: String?
    }

    struct LegalPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let document: LegalDocumentView
        let blocks: [LegalBlock]
    }

    /// A part of a legal text as a page shows it: a paragraph, or a heading («Para qué usamos tus
    /// datos:») with its list of points.
    struct LegalBlock: Encodable, Equatable {
        var heading = ""
        /// A paragraph's opening words up to its colon («Tus derechos como titular (…):»), shown bold.
        var lead = ""
        var text = ""
        var items: [String] = []
        /// For the template, which reads stored values only.
        let hasItems: Bool

        init(heading: String = "", lead: String = "", text: String = "", items: [String] = []) {
            (self.heading, self.lead, self.text, self.items, hasItems) = (heading, lead, text, items, !items.isEmpty)
        }

        /// The text's blocks: separated by blank lines; lines that start with «•» are points.
        static func blocks(of text: String) -> [LegalBlock] {
            text.components(separatedBy: "\n\n").compactMap { raw in
                let lines = raw.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !lines.isEmpty else { return nil }
                let points = lines.filter { $0.hasPrefix("•") }.map { String($0.dropFirst()).trimmingCharacters(in: .whitespaces) }
                let prose = lines.filter { !$0.hasPrefix("•") }
                guard !points.isEmpty else {
                    let paragraph = prose.joined(separator: " ")
                    if let colon = paragraph.firstIndex(of: ":"), paragraph.distance(from: paragraph.startIndex, to: colon) <= 80 {
                        return LegalBlock(lead: String(paragraph[...colon]), text: paragraph[paragraph.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                    }
                    return LegalBlock(text: paragraph)
                }
                return LegalBlock(heading: prose.joined(separator: " "), items: points)
            }
        }
    }

    struct LegalDocumentView: Encodable {
        let title: String
        let version: String
    }

    struct SandboxPage: Encodable {
        struct Message: Encodable { let recipient: String; let body: String; let time: String }
        let title: String
        let utility: UtilityProfile
        let messages: [Message]
    }


    @Sendable
    func home(request: Request) async throws -> View {
        let utility = try request.utility()
        let groups = Dictionary(grouping: utility.offices, by: \.municipality)
            .map { OfficeGroup(municipality: $0.key, offices: $0.value) }
            .sorted { $0.municipality.compare($1.municipality, locale: Locale(identifier: "es_CO")) == .orderedAscending }
        return try await request.view.render("home", HomePage(
            title: "\(utility.assistantName), tu asesora virtual · \(utility.shortName)",
            utility: utility, officeGroups: groups, officeCount: utility.offices.filter(\.open).count,
            isDemo: request.application.isDemo
        ))
    }

    struct OfficesPage: Encodable {
        let title: String
        let utility: UtilityProfile
        let officeGroups: [OfficeGroup]
        let officeCount: Int
        let municipalities: [SelectOption]
        let message: String?
    }

    /// The directory, all of it or one municipality's (`?municipio=`).
    @Sendable
    func offices(request: Request) async throws -> Response {
        let utility = try request.utility()
        let chosen = (try? request.query.get(String.self, at: "municipio")).flatMap { $0.isEmpty ? nil : $0 }
        let known = utility.municipalities
        let match = chosen.flatMap { typed in known.first { $0.compare(typed, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame } }
        let shown = utility.offices.filter { match == nil || $0.municipality == match }
        let groups = Dictionary(grouping: shown, by: \.municipality)
            .map { OfficeGroup(municipality: $0.key, offices: $0.value) }
            .sorted { $0.municipality.compare($1.municipality, locale: Locale(identifier: "es_CO")) == .orderedAscending }
        let page = OfficesPage(
            title: "Oficinas · \(utility.shortName)", utility: utility, officeGroups: groups, officeCount: shown.filter(\.open).count,
            municipalities: known.map { .init(value: $0, label: $0, selected: $0 == match) },
            message: chosen != nil && match == nil ? "No tenemos oficinas en «\(chosen!.prefix(40))». Estas son todas las oficinas y puntos de atención." : nil
        )
        return try await request.view.render("oficinas", page).encodeResponse(status: chosen != nil && match == nil ? .notFound : .ok, for: request)
    }

    @Sendable
    func chat(request: Request) async throws -> View {
        let utility = try request.utility()
        return try await request.view.render("chat", SimplePage(title: "Habla con Ema · \(utility.shortName)", utility: utility))
    }

    @Sendable
    func kiosk(request: Request) async throws -> View {
        let utility = try request.utility()
        // ?inactividad=N sets the seconds without a touch before the kiosk asks «¿Sigues ahí?»
        // (5 to 600; 90 by default), ?confirmar=N how long the question waits before the
        // conversation is wiped (3 to 120; 20 by default).
        let idle = min(600, max(5, (try? request.query.get(Int.self, at: "inactividad")) ?? 90))
        let confirm = min(120, max(3, (try? request.query.get(Int.self, at: "confirmar")) ?? 20))
        var page = SimplePage(title: "Quiosco", utility: utility, idleSeconds: idle, confirmSeconds: confirm)
        // A kiosk the office enabled for walk-in turns offers them first.
        page.turnOffice = try await TurnKioskController.office(request)
        return try await request.view.render("kiosk", page)
    }

    /// The privacy policy's closing line: the retention times this installation is set to.
    static func retentionInForce(_ config: AppConfig) -> String {
        let days = { (count: Int) in count == 1 ? "1 día" : "\(count) días" }
        return "Plazos de conservación vigentes: conversaciones, \(days(config.retentionConversationDays)) desde el último mensaje; registros de códigos de verificación, \(days(config.retentionCodeDays))."
    }

    /// A legal text, its paragraphs, and what this installation adds at its end.
    func legal(_ request: Request, _ document: LegalDocument, appendix: [String] = []) async throws -> View {
        let utility = try request.utility()
        let blocks = LegalBlock.blocks(of: document.text) + appendix.map { LegalBlock(text: $0) }
        return try await request.view.render("legal", LegalPage(
            title: "\(document.title) · \(utility.shortName)", utility: utility,
            document: LegalDocumentView(title: document.title, version: document.version), blocks: blocks
        ))
    }

    /// The sandbox's SMS outbox: only with `--demo` (or `EMA_SANDBOX=on`) and while SMS go to
    /// the sandbox.
    @Sendable
    func sandboxSMS(request: Request) async throws -> View {
        let app = request.application
        guard app.sandboxEnabled, !app.emaConfig.twilio.isConfigured else { throw Abort(.notFound) }
        let messages = try await SandboxMessage.latestTexts(limit: 50, on: request.db)
        return try await request.view.render("sandbox-sms", SandboxPage(
            title: "Buzón de SMS de prueba", utility: try request.utility(),
            messages: messages.map { .init(recipient: ColombianMobile.display($0.recipient), body: $0.body, time: Self.bogotaTime($0.createdAt)) }
        ))
    }

    static func bogotaTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) + CivilDate.bogotaOffsetSeconds
        let day = CivilDate(bogotaAt: date.timeIntervalSince1970)
        let time = ((seconds % 86_400) + 86_400) % 86_400
        return "\(day) \(String(format: "%02d:%02d:%02d", time / 3600, time % 3600 / 60, time % 60))"
    }
}
