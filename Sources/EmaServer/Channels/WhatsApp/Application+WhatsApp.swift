import Fluent
import Foundation
import SQLKit
import Vapor

/// What WhatsApp's services need of the node, named once: the Graph API client (or the
/// sandbox) and the pace of its calls, the capabilities that follow the bulk lane, the node's own
/// database (leases are renewed there, never in a caller's transaction), its log, and the worker
/// to wake when a job is queued.
struct WhatsAppParts: Sendable {
    let client: any WhatsAppClient
    let pacer: RatePacer
    let observers: [any WhatsAppBulkObserver]
    let home: any Database
    let logger: Logger
    let wake: @Sendable () async -> Void
    /// The outbox's lag and pace (`ema_outbox_lag_seconds`, `ema_outbox_sent_total`).
    let metrics: HTTPMetrics

    /// Each message sent: its lag from queued, on its lane.
    func sent(_ rows: [any SQLRow], lane: WhatsAppOutboxMessage.Lane, at now: Date) {
        for row in rows {
            guard let created = try? row.decode(column: "created_at", as: Date.self) else { continue }
            metrics.sent(outbox: "whatsapp_" + lane.rawValue, lagSeconds: now.timeIntervalSince(created))
        }
    }
}

extension Application {
    private struct BucketKey: StorageKey { typealias Value = RatePacer }
    private struct SecretKey: StorageKey { typealias Value = String }
    private struct IngestKey: StorageKey { typealias Value = WebhookIngest }

    /// Group commit of webhook deliveries.
    var webhookIngest: WebhookIngest {
        guard let ingest = storage[IngestKey.self] else { fatalError("configure(_:config:) was not called") }
        return ingest
    }

    /// The WhatsApp client the configuration chose: the Graph API with a token; without one, the
    /// sandbox in the demo (or `EMA_SANDBOX=on`), and otherwise none: messages wait in the outbox
    /// (a temporary failure) until WhatsApp is configured.
    var whatsApp: any WhatsAppClient {
        let config = emaConfig.whatsApp
        if let token = config.accessToken, let phoneNumberID = config.phoneNumberID {
            return GraphWhatsAppClient(client: client, graphURL: config.graphURL, phoneNumberID: phoneNumberID, accessToken: token)
        }
        if sandboxEnabled { return SandboxWhatsAppClient(database: db, clock: clock) }
        return UnavailableWhatsAppClient()
    }

    /// Whether WhatsApp messages can leave this node (the Graph API, or the sandbox).
    var whatsAppAvailable: Bool { emaConfig.whatsApp.isConfigured || sandboxEnabled }

    /// True when WhatsApp is the sandbox: `--demo` or `EMA_SANDBOX=on`, and no app secret or
    /// token configured. Only then does the simulator exist.
    var whatsAppSandbox: Bool { sandboxEnabled && !emaConfig.whatsApp.isConfigured && emaConfig.whatsApp.appSecret == nil }

    /// The process-wide ceiling of `WHATSAPP_MAX_MPS`.
    var whatsAppPacer: RatePacer {
        guard let bucket = storage[BucketKey.self] else { fatalError("configure(_:config:) was not called") }
        return bucket
    }

    /// The key of webhook signatures: `WHATSAPP_APP_SECRET`; without one, in the demo (or with
    /// `EMA_SANDBOX=on`), a random key made at start-up that only the simulator knows; otherwise
    /// none, and the webhook answers 503 `whatsapp_unavailable`.
    var whatsAppAppSecret: String? {
        if let secret = emaConfig.whatsApp.appSecret { return secret.value }
        return sandboxEnabled ? whatsAppSandboxSecret : nil
    }

    /// The random key of the sandbox's webhooks, made at start-up.
    var whatsAppSandboxSecret: String {
        guard let secret = storage[SecretKey.self] else { fatalError("configure(_:config:) was not called") }
        return secret
    }

    /// What WhatsApp's services take from this node.
    var whatsAppParts: WhatsAppParts {
        WhatsAppParts(client: whatsApp, pacer: whatsAppPacer, observers: whatsAppBulkObservers, home: db, logger: logger, wake: wakeWorker, metrics: httpMetrics)
    }

    /// WhatsApp over `database` (a turn's transaction; by default this node's database).
    func whatsAppService(database: (any Database)? = nil) -> WhatsAppService {
        WhatsAppService(database: database ?? db, clock: clock, parts: whatsAppParts, chats: { [self] in chatService(database: $0) })
    }

    func setUpWhatsApp() throws {
        storage[BucketKey.self] = RatePacer(perSecond: emaConfig.whatsApp.maxMessagesPerSecond)
        storage[IngestKey.self] = WebhookIngest(maxWriters: usesSQLite ? 1 : 2, wake: wakeWorker) { [self] in whatsAppService() }
        storage[SecretKey.self] = SecureRandom.hex(32)
        jobs.register(WhatsAppService.processJob, handler: WhatsAppService.process)
        jobs.register(WhatsAppService.sendJob, handler: WhatsAppService.send)
        jobs.register(WhatsAppBulkSender.job, handler: WhatsAppBulkSender.run)
        jobs.register(recurring: WhatsAppBulkSender.recoveryJob, every: max(5, min(60, emaConfig.whatsApp.uncertainGrace / 2)), handler: WhatsAppBulkSender.runRecovery)
        try register(collection: WhatsAppWebhookController())
        try register(collection: SimulatorController())
    }
}
