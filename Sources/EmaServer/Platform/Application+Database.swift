import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

extension Application {
    /// Registers the database the configuration chose: PostgreSQL when `DATABASE_URL` is set,
    /// otherwise the SQLite file (its folder is created when missing).
    func useDatabase(_ config: AppConfig) throws {
        switch config.database {
        case .sqlite(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(30), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url, let schema):
            var postgres = try SQLPostgresConfiguration(url: url.value)
            postgres.coreConfiguration.options.connectTimeout = .seconds(5)
            if let schema { postgres.searchPath = [schema] }
            databases.use(
                .postgres(
                    configuration: postgres,
                    maxConnectionsPerEventLoop: config.databasePoolSize,
                    connectionPoolTimeout: .seconds(10),
                    encodingContext: .default,
                    decodingContext: .default,
                    sqlLogLevel: .trace
                ),
                as: .psql
            )
        }
    }

    /// True on the embedded database.
    public var usesSQLite: Bool {
        if case .sqlite = emaConfig.database { return true }
        return false
    }

    /// SQLite settings that live on each connection. Fluent keeps one SQLite connection per event
    /// loop, so this runs once on each loop at start-up. WAL lets readers work while one writer
    /// writes; the busy timeout makes a writer wait up to 5 s for the lock instead of failing;
    /// synchronous=NORMAL is the safe setting for WAL (a power cut may lose the last commits,
    /// never corrupt the file).
    func prepareSQLiteConnections() async throws {
        guard usesSQLite else { return }
        for eventLoop in eventLoopGroup.makeIterator() {
            let database = databases.database(logger: logger, on: eventLoop)!
            guard let sql = database as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA journal_mode = WAL").run()
            try await sql.raw("PRAGMA busy_timeout = 5000").run()
            try await sql.raw("PRAGMA synchronous = NORMAL").run()
        }
    }
}
