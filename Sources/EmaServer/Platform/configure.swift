import Fluent
import Leaf
import Vapor

/// Builds the application from its configuration. Sections run in order; each is one small
/// step so the boot reads top to bottom.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.emaConfig = config
    // Made now, not on the first requests (several at once would race to store them).
    _ = app.httpMetrics
    _ = app.rateLimitKey
    _ = app.nodeID
    _ = app.healthWrites
    _ = app.smsOutboxKey
    _ = app.turnKioskKey
    app.queueDepths = [
        QueueDepthSource(name: "whatsapp_outbox") { try await WhatsAppOutboxMessage.queued(on: $0) },
        QueueDepthSource(name: "sms_outbox") { try await SMSOutbox.queued(on: $0) },
        QueueDepthSource(name: "advisor_chats") { try await LiveChatIndicatorFacts.queue(on: $0).waiting },
    ]

    // Database: one setting chooses SQLite or PostgreSQL; the migrations are the same.
    try app.useDatabase(config)
    try app.useChangeSignals(config)
    app.registerMigrations()
    try await app.prepareSQLiteConnections()

    // Pages: Leaf views from Resources/Views, static files from Public/.
    app.views.use(.leaf)
    app.leaf.tags["tel"] = TelTag()
    app.leaf.tags["whatsapp"] = WhatsAppLinkTag()
    app.leaf.cache.isEnabled = app.environment.isRelease
    app.utilityProfile = try UtilityProfile.load(from: app.directory.resourcesDirectory + "utility.json")

    // Middleware, outermost first: request log and metrics, security headers, the chat's CORS,
    // the input guard (long paths, control characters), errors, static files.
    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware(metrics: app.httpMetrics))
    app.middleware.use(SecurityHeadersMiddleware(config: config))
    app.middleware.use(ChatCORSMiddleware(config: config))
    app.middleware.use(InputGuardMiddleware())
    app.middleware.use(ErrorMiddleware())
    app.middleware.use(MethodNotAllowedMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.routes.defaultMaxBodySize = "1mb"

    // The assistant's intent classifier, trained from Resources/nlu/training.tsv.
    try app.trainIntentClassifier()
    try app.buildAssistant()

    // Outbound HTTP (SMS, WhatsApp, payments): fail fast on a provider that does not answer;
    // the callers retry later.
    app.http.client.configuration.timeout = .init(connect: .seconds(3), read: .seconds(20))
    // Calls in flight to one provider: AsyncHTTPClient's default of 8 HTTP/1.1 connections per
    // host capped WhatsApp replies at 40 a second with a Graph API answering in 200 ms
    // (`ema-bench replies --graph-ms 200`), whatever WHATSAPP_MAX_MPS allowed.
    app.http.client.configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)

    // Background work: the job kinds this node can run.
    app.registerJobs()

    // Routes.
    try app.register(collection: OperationsController())
    try app.register(collection: OpenAPIController(resources: app.directory.resourcesDirectory))
    try app.register(collection: SiteController())
    try app.register(collection: BillController())
    try app.register(collection: FacturaWebController())
    try app.register(collection: CouponController())
    try app.register(collection: AgreementController())
    try app.register(collection: BackOfficeAgreementsController())
    try app.register(collection: PrepaidController())
    try app.register(collection: SomosController())
    try app.register(collection: CertificateController())
    try app.register(collection: WompiWebhookController())
    // The back office: staff sign-in (bcrypt; a lower cost only in tests), then its pages.
    app.passwords.use(.bcrypt(cost: config.passwordCost))
    app.staffSignInLimiters = .init()
    try app.register(collection: BackOfficeController())
    try app.register(collection: BackOfficeDispatchController())
    try app.register(collection: PQRWebController())
    try app.register(collection: ServiceRequestController())
    try app.register(collection: BackOfficePromotionsController())
    try app.register(collection: SomosRestructuringController())
    try app.register(collection: BackOfficeSomosController())
    try app.register(collection: HelpController())
    try app.register(collection: BackOfficeArticlesController())
    try app.register(collection: TeachingController())
    try app.register(collection: UsageController())
    // Made here, once: the request handlers only read it.
    _ = app.articleCache
    try app.register(collection: BackOfficeCasesController())
    try app.register(collection: SuggestionsController())
    try app.register(collection: DamageController())
    try app.register(collection: TransparencyController())
    try app.register(collection: TurnsController())
    try app.register(collection: OfficeScreenController())
    try app.register(collection: TurnKioskController())
    try app.register(collection: LiveChatController())
    try app.register(collection: LivePagesController())
    try app.register(collection: IndicatorsController())
    try app.register(collection: SurveyLinksController())
    try app.register(collection: DataRightsController())
    try app.register(collection: BackOfficeDataController())
    let api = app.grouped("api", "v1")
    PQRWebController().api(api)
    // The chat API is called by the widget from the utility's own sites: ChatCORSMiddleware
    // (above) answers the browsers' preflights.
    try app.setUpWhatsApp()
    // Billing follows its bills' messages through the bulk lane (Billing → Channels only).
    app.whatsAppBulkObservers.append(DeliveryTracking(clock: app.clock, publicURL: config.publicURL))
    app.whatsAppBulkObservers.append(ReminderTracking())
    app.whatsAppBulkObservers.append(PromotionTracking())
    app.customerContextSources = [BillingCustomerContext(), CasesCustomerContext(), DamageCustomerContext()]
    try api.register(collection: ChatController())
    let admin = api.grouped(AdminTokenMiddleware(token: config.adminToken))
    try admin.register(collection: AdminContractsController())

    // Commands (`ema serve --demo`, `ema import ...`).
    app.asyncCommands.use(EmaServeCommand(), as: "serve", isDefault: true)
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(NLUCommand(), as: "nlu")
    app.asyncCommands.use(InvoicesCommand(), as: "invoices")
    app.asyncCommands.use(AgreementsCommand(), as: "agreements")
    app.asyncCommands.use(RemindersCommand(), as: "reminders")
    app.asyncCommands.use(StaffCommand(), as: "staff")
}
