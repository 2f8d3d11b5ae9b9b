import EmaServer
import Fluent
import Foundation
import Logging
import SQLKit
import Vapor
import VaporTesting

/// The database the suite runs on: a fresh SQLite file per test, or, when
/// `EMA_TEST_DATABASE_URL` is set, a fresh schema per test in that PostgreSQL database.
enum TestDatabase {
    static let postgresURL: String? = {
        let value = ProcessInfo.processInfo.environment["EMA_TEST_DATABASE_URL"] ?? ""
        return value.isEmpty ? nil : value
    }()

    static var isPostgres: Bool { postgresURL != nil }
}

/// Logs of every test go through Ema's handler at warning level (quiet unless something is off).
private let bootstrapLogging: Void = {
    LoggingSystem.bootstrap { label in
        EmaLogHandler(label: label, level: .warning, format: .text)
    }
}()

/// At most this many test applications at once: Swift Testing starts every test (and every
/// argument of a parameterized test) together, and each application holds its own database
/// connections, which would exhaust PostgreSQL's `max_connections`.
actor TestGate {
    static let shared = TestGate(limit: 16)
    private let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { inUse -= 1 } else { waiting.removeFirst().resume() }
    }
}

/// Runs `body` with a configured, migrated application on a database of its own, then tears
/// everything down (schema or file included).
func withEmaApp(
    clock: AppClock? = nil,
    migrate: Bool = true,
    configure adjust: (inout AppConfig) -> Void = { _ in },
    prepare: (Application) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    _ = bootstrapLogging
    await TestGate.shared.acquire()
    var config = AppConfig()
    config.workersEnabled = false
    // Most tests play the demo's providers (sandbox SMS, WhatsApp and payments); the tests of a
    // production node turn it off.
    config.sandbox = true
    // bcrypt's lowest cost: staff tests sign in often.
    config.passwordCost = 4
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    let sqlitePath = FileManager.default.temporaryDirectory.appendingPathComponent("ema-test-\(name).sqlite").path
    if let url = TestDatabase.postgresURL {
        config.database = .postgres(url: Secret(url), schema: name)
        // One connection per event loop: the whole suite runs at once against one server.
        config.databasePoolSize = 1
    } else {
        config.database = .sqlite(path: sqlitePath)
    }
    adjust(&config)

    let app: Application
    do {
        app = try await Application.make(.testing)
    } catch {
        await TestGate.shared.release()
        throw error
    }
    if let clock { app.clock = clock }
    prepare(app)
    var failure: (any Error)?
    do {
        try await EmaServer.configure(app, config: config)
        if case .postgres(_, let schema?) = config.database {
            try await app.db.sql.raw("CREATE SCHEMA \(ident: schema)").run()
        }
        if migrate { try await app.autoMigrate() }
        try await body(app)
    } catch {
        failure = error
    }
    if case .postgres(_, let schema?) = config.database {
        try? await app.db.sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
    await TestGate.shared.release()
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
    if let failure { throw failure }
}

/// Writes a temporary file for a test and returns its path.
func temporaryFile(_ contents: String, name: String = "datos.csv") throws -> String {
    try temporaryFile(Data(contents.utf8), name: name)
}

func temporaryFile(_ data: Data, name: String = "datos.csv") throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ema-test-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try data.write(to: url)
    return url.path
}

/// Twilio credentials pointing at a port where nothing listens: the provider is down.
func unreachableTwilio(_ config: inout AppConfig) {
    config.twilio.apiURL = "http://127.0.0.1:1"
    config.twilio.accountSID = "AC1"
    config.twilio.authToken = Secret("t")
    config.twilio.from = "+15005550006"
}


/// Runs `body` with the app serving on a free local port, and always shuts the server down
/// (a server left running fails Vapor's assertion when the app goes away).
func withRunningServer<T>(_ app: Application, _ body: (Int) async throws -> T) async throws -> T {
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    let outcome: Result<T, any Error>
    do {
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError, reason: "el servidor no tiene puerto") }
        outcome = .success(try await body(port))
    } catch {
        outcome = .failure(error)
    }
    await app.server.shutdown()
    return try outcome.get()
}
