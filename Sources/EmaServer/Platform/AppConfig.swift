import Foundation
import EmaCore
import Logging

/// The whole configuration of Ema, built once at start-up from the environment
/// (`AppConfig(environment:)`) or directly by tests. See the README's configuration table.
public struct AppConfig: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        /// The embedded default: one file, WAL journal.
        case sqlite(path: String)
        /// `DATABASE_URL`; `schema` puts every table in that schema (tests use one per test).
        case postgres(url: Secret, schema: String? = nil)
    }

    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    public struct WhatsApp: Sendable {
        public var graphURL: String = "https://graph.facebook.com/v21.0"
        public var phoneNumberID: String?
        public var accessToken: Secret?
        public var appSecret: Secret?
        public var verifyToken: Secret?
        public var maxMessagesPerSecond: Int = 80
        /// How long a bill interrupted mid-send waits for Meta's status before it is sent again.
        public var uncertainGrace: TimeInterval = 600
        /// With a token and a number id, messages go to the Graph API; without, to the sandbox
        /// outbox in the demo (or with `EMA_SANDBOX=on`), and nowhere otherwise.
        public var isConfigured: Bool { accessToken != nil && phoneNumberID != nil }
    }

    public struct Twilio: Sendable {
        public var apiURL: String = "https://api.twilio.com"
        public var accountSID: String?
        public var authToken: Secret?
        public var from: String?
        /// Without credentials, SMS go to the sandbox outbox in the demo, and nowhere otherwise.
        public var isConfigured: Bool { accountSID != nil && authToken != nil && from != nil }
    }

    /// Wompi (Bancolombia): hosted Web Checkout and signed event notices.
    public struct Wompi: Sendable {
        public struct Credentials: Sendable {
            public var publicKey: String
            public var integritySecret: Secret
            public var eventsSecret: Secret
            public init(publicKey: String, integritySecret: Secret, eventsSecret: Secret) {
                self.publicKey = publicKey
                self.integritySecret = integritySecret
                self.eventsSecret = eventsSecret
            }
        }

        public var apiURL: String = "https://production.wompi.co/v1"
        public var checkoutURL: String = "https://checkout.wompi.co/p/"
        /// Without them, payments go to the sandbox gateway in the demo, and are not available
        /// otherwise.
        public var credentials: Credentials?
        public var isConfigured: Bool { credentials != nil }
    }

    public var database: DatabaseChoice = .sqlite(path: "./data/ema.sqlite")
    /// `EMA_SANDBOX=on`: the providers' sandboxes (payments, SMS, WhatsApp, the simulator) stand
    /// in for the ones not configured, without the demo data. `ema serve --demo` turns it on too.
    /// Off, an unconfigured provider is simply not available.
    public var sandbox: Bool = false
    /// Where the links Ema writes into messages point (`EMA_PUBLIC_URL`); without it, where
    /// `ema serve` listens (`followServeAddress`).
    public var publicURL: String = "http://127.0.0.1:8080"
    /// True when `EMA_PUBLIC_URL` set `publicURL`.
    public var publicURLIsSet = false
    public var adminToken: Secret?
    public var workersEnabled: Bool = true
    /// Jobs one node runs at once (on SQLite their writes take turns). Most of a WhatsApp job's
    /// time is waiting on the Graph API (a few hundred milliseconds a call): with a Graph API
    /// answering in 200 ms, 4 slots answered 9 messages a second, 32 kept up with 60
    /// (`ema-bench replies --graph-ms 200`).
    public var workerConcurrency: Int = 32
    /// Connections per event loop to PostgreSQL.
    public var databasePoolSize: Int = 4
    /// Verification codes one client address may ask for in an hour (toll-fraud guard).
    public var codesPerClientPerHour: Int = 15
    /// Chat conversations one client address may open every 10 minutes (`EMA_CHAT_SESSIONS_PER_CLIENT`).
    public var chatSessionsPerClient: Int = 60
    /// The sites that may embed the chat widget (`EMA_CHAT_ORIGINS`, comma-separated origins such
    /// as `https://www.epm.com.co`); nil (unset or `*`): any site.
    public var chatOrigins: Set<String>?
    /// Who may read `/metrics`: a bearer token (`EMA_METRICS_TOKEN`) and/or client addresses
    /// (`EMA_METRICS_ALLOW`, comma-separated); with neither, anyone.
    public var metricsToken: Secret?
    public var metricsAllow: Set<String> = []
    /// The advisors' chat hours (`EMA_ADVISOR_HOURS=08:00-20:00`), over the utility's data file.
    public var advisorHours: AdvisorHours?
    /// How long one node keeps a month's public indicators (`EMA_INDICATORS_CACHE_SECONDS`; 0: none).
    public var indicatorCacheSeconds: Int = 300
    /// Days conversation transcripts are kept after their last message
    /// (`EMA_RETENTION_CONVERSATION_DAYS`), and one-time-code records (`EMA_RETENTION_CODE_DAYS`).
    public var retentionConversationDays: Int = 180
    public var retentionCodeDays: Int = 1
    /// Addresses of the load balancers in front of this node (`EMA_TRUSTED_PROXIES`, comma
    /// separated): only their `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String> = []
    /// bcrypt cost of staff passwords (tests lower it to stay fast).
    public var passwordCost: Int = 12
    public var whatsApp = WhatsApp()
    public var twilio = Twilio()
    public var wompi = Wompi()
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text

    public init() {}

    /// Reads the environment; throws one error listing every bad key.
    public init(environment: [String: String]) throws(ConfigError) {
        var reader = EnvironmentReader(environment)
        if let url = reader.postgresURL("DATABASE_URL") {
            database = .postgres(url: url)
        } else {
            database = .sqlite(path: reader.string("EMA_SQLITE_PATH") ?? "./data/ema.sqlite")
        }
        if let url = reader.httpURL("EMA_PUBLIC_URL") {
            publicURL = url
            publicURLIsSet = true
        }
        sandbox = reader.onOff("EMA_SANDBOX") ?? false
        adminToken = reader.secret("EMA_ADMIN_TOKEN")
        workersEnabled = reader.onOff("EMA_WORKERS") ?? true
        workerConcurrency = reader.integer("EMA_WORKER_CONCURRENCY", in: 1...64) ?? workerConcurrency
        databasePoolSize = reader.integer("EMA_DB_POOL_SIZE", in: 1...100) ?? databasePoolSize
        codesPerClientPerHour = reader.integer("EMA_CODES_PER_CLIENT_HOUR", in: 1...1_000_000) ?? codesPerClientPerHour
        if let origins = reader.list("EMA_CHAT_ORIGINS"), origins != ["*"] {
            for origin in origins where URLComponents(string: origin).map({ ($0.scheme == "http" || $0.scheme == "https") && $0.host != nil && $0.path.isEmpty }) != true {
                reader.problem("EMA_CHAT_ORIGINS", "cada origen es como https://www.empresa.com.co, sin ruta (llegó «\(origin)»)")
            }
            chatOrigins = Set(origins)
        }
        metricsToken = reader.secret("EMA_METRICS_TOKEN")
        metricsAllow = Set(reader.list("EMA_METRICS_ALLOW") ?? [])
        chatSessionsPerClient = reader.integer("EMA_CHAT_SESSIONS_PER_CLIENT", in: 1...1_000_000) ?? chatSessionsPerClient
        indicatorCacheSeconds = reader.integer("EMA_INDICATORS_CACHE_SECONDS", in: 0...3_600) ?? indicatorCacheSeconds
        retentionConversationDays = reader.integer("EMA_RETENTION_CONVERSATION_DAYS", in: 1...3_650) ?? retentionConversationDays
        retentionCodeDays = reader.integer("EMA_RETENTION_CODE_DAYS", in: 1...365) ?? retentionCodeDays
        trustedProxies = Set(reader.list("EMA_TRUSTED_PROXIES") ?? [])
        if let hours = reader.string("EMA_ADVISOR_HOURS") {
            let parts = hours.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let parsed = AdvisorHours(opens: parts[0], closes: parts[1]) {
                advisorHours = parsed
            } else {
                reader.problem("EMA_ADVISOR_HOURS", "debe ser como 08:00-20:00 (apertura antes del cierre)")
            }
        }

        whatsApp.graphURL = reader.httpURL("WHATSAPP_GRAPH_URL") ?? whatsApp.graphURL
        whatsApp.phoneNumberID = reader.string("WHATSAPP_PHONE_NUMBER_ID")
        whatsApp.accessToken = reader.secret("WHATSAPP_ACCESS_TOKEN")
        whatsApp.appSecret = reader.secret("WHATSAPP_APP_SECRET")
        whatsApp.verifyToken = reader.secret("WHATSAPP_VERIFY_TOKEN")
        whatsApp.maxMessagesPerSecond = reader.integer("WHATSAPP_MAX_MPS", in: 1...1000) ?? whatsApp.maxMessagesPerSecond
        whatsApp.uncertainGrace = reader.integer("WHATSAPP_RESEND_GRACE_SECONDS", in: 5...86_400).map(TimeInterval.init) ?? whatsApp.uncertainGrace
        if whatsApp.accessToken != nil, whatsApp.phoneNumberID == nil {
            reader.problem("WHATSAPP_PHONE_NUMBER_ID", "es obligatorio cuando WHATSAPP_ACCESS_TOKEN está definido")
        }
        if whatsApp.accessToken != nil, whatsApp.appSecret == nil {
            reader.problem("WHATSAPP_APP_SECRET", "es obligatorio cuando WHATSAPP_ACCESS_TOKEN está definido: sin él no se puede comprobar la firma de los webhooks")
        }

        twilio.apiURL = reader.httpURL("TWILIO_API_URL") ?? twilio.apiURL
        twilio.accountSID = reader.string("TWILIO_ACCOUNT_SID")
        twilio.authToken = reader.secret("TWILIO_AUTH_TOKEN")
        twilio.from = reader.string("TWILIO_FROM")
        let twilioKeys = ["TWILIO_ACCOUNT_SID": twilio.accountSID != nil, "TWILIO_AUTH_TOKEN": twilio.authToken != nil, "TWILIO_FROM": twilio.from != nil]
        if twilioKeys.values.contains(true) {
            for (key, present) in twilioKeys.sorted(by: { $0.key < $1.key }) where !present {
                reader.problem(key, "falta: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN y TWILIO_FROM van juntas (o ninguna, para usar el buzón de pruebas)")
            }
        }

        wompi.apiURL = reader.httpURL("WOMPI_API_URL") ?? wompi.apiURL
        wompi.checkoutURL = reader.httpURL("WOMPI_CHECKOUT_URL") ?? wompi.checkoutURL
        let publicKey = reader.string("WOMPI_PUBLIC_KEY")
        let integrity = reader.secret("WOMPI_INTEGRITY_SECRET")
        let events = reader.secret("WOMPI_EVENTS_SECRET")
        if let publicKey, let integrity, let events {
            wompi.credentials = .init(publicKey: publicKey, integritySecret: integrity, eventsSecret: events)
        } else if publicKey != nil || integrity != nil || events != nil {
            for (key, present) in [("WOMPI_EVENTS_SECRET", events != nil), ("WOMPI_INTEGRITY_SECRET", integrity != nil), ("WOMPI_PUBLIC_KEY", publicKey != nil)] where !present {
                reader.problem(key, "falta: WOMPI_PUBLIC_KEY, WOMPI_INTEGRITY_SECRET y WOMPI_EVENTS_SECRET van juntas (o ninguna, para usar la pasarela de pruebas)")
            }
        }

        logLevel = reader.logLevel("LOG_LEVEL") ?? logLevel
        logFormat = reader.choice("EMA_LOG_FORMAT", LogFormat.self) ?? logFormat
        if !reader.problems.isEmpty { throw ConfigError(problems: reader.problems) }
    }

    /// One line for the start-up log: what was chosen, with secrets and passwords masked.
    /// `sandbox` says whether the sandboxes stand in (the demo turns them on after reading).
    public func summary(sandbox: Bool) -> String {
        let db: String
        switch database {
        case .sqlite(let path): db = "sqlite:\(path)"
        case .postgres(let url, _): db = Self.redactingPassword(url.value)
        }
        return [
            "database=\(db)",
            "public_url=\(publicURL)",
            "admin_api=\(adminToken == nil ? "cerrada" : "abierta")",
            "workers=\(workersEnabled ? "on" : "off")",
            "whatsapp=\(whatsApp.isConfigured ? whatsApp.graphURL : sandbox ? "sandbox" : "no_disponible")",
            "sms=\(twilio.isConfigured ? twilio.apiURL : sandbox ? "sandbox" : "no_disponible")",
            "pagos=\(wompi.isConfigured ? wompi.apiURL : sandbox ? "sandbox" : "no_disponible")",
            "sandbox=\(sandbox ? "ACTIVO" : "off")",
        ].joined(separator: " ")
    }

    /// `postgres://ema:clave@db/ema` → `postgres://ema:***@db/ema`.
    static func redactingPassword(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}

/// Every bad configuration key at once, so one restart fixes them all.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable {
        public let key: String
        public let message: String
    }

    public let problems: [Problem]

    public var keys: [String] { problems.map(\.key) }

    public var description: String {
        "La configuración no es válida; Ema no arranca. Corrija:\n"
            + problems.map { "  - \($0.key): \($0.message)" }.joined(separator: "\n")
    }
}

/// Reads typed values from environment variables, collecting problems instead of stopping at
/// the first. Empty values count as unset. Secret values are never repeated in messages.
struct EnvironmentReader {
    let environment: [String: String]
    var problems: [ConfigError.Problem] = []

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(.init(key: key, message: message))
    }

    func string(_ key: String) -> String? {
        guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// A comma-separated list, blanks dropped; nil when unset.
    func list(_ key: String) -> [String]? {
        string(key).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    func secret(_ key: String) -> Secret? {
        string(key).map(Secret.init)
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem(key, "debe ser un número entero entre \(range.lowerBound) y \(range.upperBound) (llegó «\(text)»)")
            return nil
        }
        return value
    }

    mutating func onOff(_ key: String) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "on", "true", "1", "yes", "si", "sí": return true
        case "off", "false", "0", "no": return false
        default:
            problem(key, "debe ser on u off (llegó «\(text)»)")
            return nil
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(key) else { return nil }
        if let value = T(rawValue: text.lowercased()) { return value }
        problem(key, "debe ser \(T.allCases.map(\.rawValue).joined(separator: " o ")) (llegó «\(text)»)")
        return nil
    }

    mutating func logLevel(_ key: String) -> Logger.Level? {
        guard let text = string(key) else { return nil }
        if let level = Logger.Level(rawValue: text.lowercased()), level != .trace { return level }
        problem(key, "debe ser debug, info, notice, warning, error o critical (llegó «\(text)»); trace no se ofrece porque vuelca peticiones completas, con credenciales")
        return nil
    }

    mutating func httpURL(_ key: String) -> String? {
        guard let text = string(key) else { return nil }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            problem(key, "debe ser una dirección http:// o https:// completa (llegó «\(text)»)")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    mutating func postgresURL(_ key: String) -> Secret? {
        guard let text = string(key) else { return nil }
        let shown = AppConfig.redactingPassword(text)
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql"
        else {
            problem(key, "debe empezar por postgres:// (llegó «\(shown)»); sin DATABASE_URL Ema usa SQLite")
            return nil
        }
        guard let host = url.host, !host.isEmpty else {
            problem(key, "le falta el servidor: postgres://usuario:clave@servidor:5432/base")
            return nil
        }
        if url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")).isEmpty {
            problem(key, "le falta el nombre de la base de datos: postgres://usuario:clave@servidor:5432/base")
            return nil
        }
        if url.port == nil, text.contains("@\(host):") {
            problem(key, "el puerto no es un número")
            return nil
        }
        return Secret(text)
    }
}
