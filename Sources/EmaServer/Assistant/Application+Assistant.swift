import EmaCore
import Fluent
import Foundation
import Vapor

extension Application {
    private struct AssistantKey: StorageKey { typealias Value = Assistant }
    private struct DemoKey: StorageKey { typealias Value = Bool }

    /// The conversation engine with what it knows of the utility.
    public var assistant: Assistant {
        get {
            guard let assistant = storage[AssistantKey.self] else { fatalError("configure(_:config:) was not called") }
            return assistant
        }
        set { storage[AssistantKey.self] = newValue }
    }

    /// True when serving the demo (`ema serve --demo`): the sandbox outbox page is shown.
    public var isDemo: Bool {
        get { storage[DemoKey.self] ?? false }
        set { storage[DemoKey.self] = newValue }
    }

    /// Conversations over `database` (a turn's transaction; by default this node's database).
    func chatService(database: (any Database)? = nil) -> ChatService {
        var service = ChatService(database: database ?? db, clock: clock, assistant: assistant, models: intentModels,
                                  effects: { [self] in assistantEffects(client: $0, conversation: $1, database: $2) })
        service.metrics = httpMetrics
        return service
    }

    /// The effects of conversations over `database` (a turn's transaction; by default this
    /// application's database).
    func assistantEffects(client: String?, conversation: String? = nil, database: (any Database)? = nil) -> AssistantService {
        let database = database ?? db
        return AssistantService(
            database: database, smsOutbox: smsOutbox(database: database), clock: clock, utilityName: utilityProfile?.shortName ?? "Ema", publicURL: emaConfig.publicURL,
            client: client, conversation: conversation, limits: RateLimiter(database: database, clock: clock, key: rateLimitKey),
            codesPerClient: RateLimit("codigos.cliente", limit: emaConfig.codesPerClientPerHour, window: 3_600),
            caseService: caseService(database: database), turnService: turnService(database: database),
            liveChats: liveChatService(database: database), whatsApp: whatsAppService(database: database),
            privacy: legalDocuments.privacy, coupons: utilityProfile?.coupons, agreements: utilityProfile?.agreements,
            articles: articleCache
        )
    }

    /// Builds the engine from the utility profile, the legal texts and the classifier.
    func buildAssistant() throws {
        legalDocuments = try LegalDocuments.load(folder: directory.resourcesDirectory + "legal/", publicURL: emaConfig.publicURL)
        guard let utility = utilityProfile else { return }
        let offices = Dictionary(grouping: utility.offices.filter(\.open), by: \.municipality)
            .map { (municipality: $0.key, lines: $0.value.map { "\($0.name), \($0.address)" }) }
            .sorted { $0.lines.count > $1.lines.count }
        let knowledge = AssistantKnowledge(
            utilityName: utility.shortName,
            whatsAppLine: utility.whatsApp.display,
            phoneLines: utility.phoneLines.map { ($0.name, $0.number) },
            hours: utility.hours.map { ($0.topic, $0.schedule) },
            offices: offices,
            publicURL: emaConfig.publicURL,
            privacy: legalDocuments.privacy,
            terms: legalDocuments.terms
        )
        var complete = knowledge
        complete.officeDirectory = utility.offices.filter(\.open).map {
            OfficeEntry(name: $0.name, municipality: $0.municipality, address: $0.address, hours: $0.hours, services: $0.services, selfService: $0.kind != "oficina")
        }
        if let hours = utility.advisorHours {
            guard let parsed = AdvisorHours(opens: hours.opens, closes: hours.closes) else {
                throw UtilityProfileError("«advisorHours» del perfil de la empresa no es válido: use horas como \"08:00\" y \"20:00\", la apertura antes del cierre.")
            }
            complete.advisorHours = parsed
        }
        if let hours = emaConfig.advisorHours { complete.advisorHours = hours }
        complete.coupons = utility.coupons
        complete.contributions = utility.contributions
        complete.paperBill = utility.paperBill ?? PaperBillPolicy()
        complete.promotions = legalDocuments.promotions
        complete.municipalityPoints = (utility.municipalityPoints ?? []).map { MunicipalityPoint(name: $0.name, latitude: $0.latitude, longitude: $0.longitude) }
        assistant = Assistant(knowledge: complete, classifier: intentClassifier)
    }
}
