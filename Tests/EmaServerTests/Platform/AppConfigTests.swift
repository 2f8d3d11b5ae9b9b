@testable import EmaServer
import Foundation
import Testing

@Suite("Configuration")
struct AppConfigTests {
    @Test("With nothing set, Ema runs on SQLite in ./data, with no provider and no sandbox")
    func defaults() throws {
        let config = try AppConfig(environment: [:])
        #expect(config.database == .sqlite(path: "./data/ema.sqlite"))
        #expect(config.publicURL == "http://127.0.0.1:8080")
        #expect(config.adminToken == nil)
        #expect(config.workersEnabled)
        #expect(!config.whatsApp.isConfigured)
        #expect(!config.twilio.isConfigured)
        #expect(!config.wompi.isConfigured)
        #expect(!config.sandbox)
        #expect(config.summary(sandbox: false).contains("whatsapp=no_disponible sms=no_disponible pagos=no_disponible sandbox=off"))
        #expect(config.whatsApp.maxMessagesPerSecond == 80)
        #expect(config.whatsApp.graphURL == "https://graph.facebook.com/v21.0")
    }

    @Test("Reads every documented key")
    func everyKey() throws {
        let config = try AppConfig(environment: [
            "DATABASE_URL": "postgres://ema:clave@db.local:5432/ema",
            "EMA_PUBLIC_URL": "https://ema.example.co/",
            "EMA_ADMIN_TOKEN": "token-de-prueba-largo",
            "EMA_WORKERS": "off",
            "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9000/v21.0",
            "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
            "WHATSAPP_ACCESS_TOKEN": "EAAG",
            "WHATSAPP_APP_SECRET": "s3cr3t",
            "WHATSAPP_VERIFY_TOKEN": "verify",
            "WHATSAPP_MAX_MPS": "250",
            "TWILIO_API_URL": "http://127.0.0.1:9001",
            "TWILIO_ACCOUNT_SID": "AC123",
            "TWILIO_AUTH_TOKEN": "auth",
            "TWILIO_FROM": "+15005550006",
        ])
        #expect(config.database == .postgres(url: Secret("postgres://ema:clave@db.local:5432/ema")))
        #expect(config.publicURL == "https://ema.example.co")
        #expect(config.adminToken == Secret("token-de-prueba-largo"))
        #expect(!config.workersEnabled)
        #expect(config.whatsApp.maxMessagesPerSecond == 250)
        #expect(config.whatsApp.isConfigured)
        #expect(config.twilio.isConfigured)
        #expect(config.twilio.from == "+15005550006")
    }

    @Test("Each bad value is named by its key", arguments: [
        ("DATABASE_URL", "mysql://ema@db/ema"),
        ("DATABASE_URL", "postgres://ema@db"),
        ("DATABASE_URL", "postgres:///ema"),
        ("EMA_PUBLIC_URL", "ema.example.co"),
        ("EMA_PUBLIC_URL", "ftp://ema.example.co"),
        ("EMA_WORKERS", "maybe"),
        ("WHATSAPP_GRAPH_URL", "graph"),
        ("WHATSAPP_MAX_MPS", "abc"),
        ("WHATSAPP_MAX_MPS", "0"),
        ("WHATSAPP_MAX_MPS", "1001"),
        ("TWILIO_API_URL", "twilio"),
        ("LOG_LEVEL", "verbose"),
        ("LOG_LEVEL", "trace"),
        ("EMA_LOG_FORMAT", "xml"),
        ("EMA_WORKER_CONCURRENCY", "0"),
    ])
    func badValue(key: String, value: String) {
        #expect(throws: ConfigError.self) { try AppConfig(environment: [key: value]) }
        do {
            _ = try AppConfig(environment: [key: value])
        } catch {
            #expect(error.keys == [key])
        }
    }

    @Test("Every bad key is listed at once")
    func allAtOnce() {
        do {
            _ = try AppConfig(environment: [
                "DATABASE_URL": "mysql://x/y", "EMA_WORKERS": "quizás", "WHATSAPP_MAX_MPS": "-3", "LOG_LEVEL": "ruido",
            ])
            Issue.record("the configuration should have been refused")
        } catch {
            #expect(Set(error.keys) == ["DATABASE_URL", "EMA_WORKERS", "WHATSAPP_MAX_MPS", "LOG_LEVEL"])
            #expect(error.description.contains("Ema no arranca"))
        }
    }

    @Test("Credentials that only work together are required together")
    func pairedKeys() {
        do {
            _ = try AppConfig(environment: ["TWILIO_ACCOUNT_SID": "AC1", "WHATSAPP_ACCESS_TOKEN": "EAAG"])
            Issue.record("the configuration should have been refused")
        } catch {
            #expect(Set(error.keys) == ["TWILIO_AUTH_TOKEN", "TWILIO_FROM", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET"])
        }
    }

    @Test("No secret appears in messages or in the start-up summary")
    func noSecretsShown() throws {
        let environment = [
            "DATABASE_URL": "postgres://ema:SuperClave123@db.local:5432/ema",
            "EMA_ADMIN_TOKEN": "AdminToken-XYZ-987",
            "WHATSAPP_ACCESS_TOKEN": "EAAG-Meta-Token-555",
            "WHATSAPP_PHONE_NUMBER_ID": "1",
            "WHATSAPP_APP_SECRET": "AppSecret-444",
            "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "TwilioAuth-333", "TWILIO_FROM": "+1500",
        ]
        let config = try AppConfig(environment: environment)
        let shown = config.summary(sandbox: false) + "\(config.adminToken!)" + "\(config.whatsApp)" + "\(config.twilio)"
        for secret in ["SuperClave123", "AdminToken-XYZ-987", "EAAG-Meta-Token-555", "AppSecret-444", "TwilioAuth-333"] {
            #expect(!shown.contains(secret))
        }
        #expect(config.summary(sandbox: false).contains("db.local"))
        do {
            _ = try AppConfig(environment: ["DATABASE_URL": "mysql://ema:OtraClave999@db/ema"])
        } catch {
            #expect(!error.description.contains("OtraClave999"))
        }
    }

    @Test("Empty values count as unset")
    func emptyValues() throws {
        let config = try AppConfig(environment: ["DATABASE_URL": "", "EMA_ADMIN_TOKEN": "  ", "EMA_SQLITE_PATH": "/tmp/x.sqlite"])
        #expect(config.database == .sqlite(path: "/tmp/x.sqlite"))
        #expect(config.adminToken == nil)
    }
}

@Suite("Configuration summary")
struct AppConfigSummaryTests {
    @Test("Database passwords are masked, whatever characters they have")
    func passwords() {
        #expect(AppConfig.redactingPassword("postgres://ema:cl@ve:x@db.local:5432/ema") == "postgres://ema:***@db.local:5432/ema")
        #expect(AppConfig.redactingPassword("postgres://ema@db.local/ema") == "postgres://ema@db.local/ema")
        #expect(AppConfig.redactingPassword("postgres://db.local/ema") == "postgres://db.local/ema")
    }
}

@Suite("The command line: where links point, and help that touches nothing")
struct CommandLineTests {
    func publicURL(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        var config = try AppConfig(environment: environment)
        config.followServeAddress(arguments)
        return config.publicURL
    }

    @Test("Without EMA_PUBLIC_URL, links follow the address ema serve listens on")
    func linksFollowThePort() throws {
        #expect(try publicURL(["serve", "--demo"]) == "http://127.0.0.1:8080")
        #expect(try publicURL(["serve", "--demo", "--port", "8099"]) == "http://127.0.0.1:8099")
        #expect(try publicURL(["serve", "-p", "9001", "--hostname", "192.168.1.20"]) == "http://192.168.1.20:9001")
        #expect(try publicURL(["serve", "--bind", "0.0.0.0:8181"]) == "http://127.0.0.1:8181")
        #expect(try publicURL(["serve", "--port", "8099"], environment: ["EMA_PUBLIC_URL": "https://ema.empresa.com.co"]) == "https://ema.empresa.com.co")
    }

    @Test("--help prints the command's help and creates no database, whatever the command")
    func helpTouchesNothing() throws {
        let cli = ImportCommandTests()
        try #require(FileManager.default.isExecutableFile(atPath: ImportCommandTests.executable), "build the ema executable first (swift build)")
        for arguments in [["serve", "--help"], ["serve", "--demo", "--help"], ["import", "contracts", "--help"], ["invoices", "dispatch", "--help"]] {
            let database = cli.freshDatabase()
            let run = try cli.ema(arguments, database: database)
            #expect(run.status == 0, "\(arguments): \(run.errors)")
            #expect((run.output + run.errors).contains("Usage") || (run.output + run.errors).contains("Uso"), "\(arguments): \(run.output)")
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent().path
            #expect(!FileManager.default.fileExists(atPath: folder), "\(arguments) created \(folder)")
        }
    }
}
