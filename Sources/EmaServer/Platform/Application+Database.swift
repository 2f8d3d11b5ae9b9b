import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

extension Application {
    /// Registers the database the configuration chose: PostgreSQL when `DATABASE_URL` is set,
    /// otherwise the SQLite file (its folder is created when missing).
    func useDatabase(_ config: AppConfig) throws {
        switch config.database {
        case .sqlite(let path) where path == AppConfig.inMemory:
            databases.use(.sqlite(.memory, connectionPoolTimeout: .seconds(30), sqlLogLevel: .trace), as: .sqlite)
        case .sqlite(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            useSQLiteThreads()
            databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(30), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url, let schema):
            var postgres = try SQLPostgresConfiguration(url: url.value)
            postgres.coreConfiguration.options.connectTimeout = .seconds(5)
            storage[PostgresConnectionKey.self] = postgres.coreConfiguration
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

    /// SQLite's calls block a thread of a pool, and a writer waiting for the lock (the busy
    /// timeout) blocks its thread while it waits. Vapor's pool is the process's shared one, with a
    /// thread per core, which also reads files: two waiting writers on a 2-core machine leave
    /// the writer that holds the lock no thread to finish on, and everyone waits for the busy
    /// timeout to run out («database is locked»). This application gets a pool of its own, with
    /// more threads than it has connections (one per event loop) plus room for files.
    private func useSQLiteThreads() {
        let pool = NIOThreadPool(numberOfThreads: max(4, 2 * System.coreCount))
        pool.start()
        threadPool = pool
        if databases.threadPool !== pool {
            logger.warning("La base SQLite usa el grupo de hilos compartido: se configuró tarde")
        }
    }

    private struct PostgresConnectionKey: StorageKey { typealias Value = PostgresConnection.Configuration }

    /// How to open a connection of one's own (outside the pool) on PostgreSQL: the signals'
    /// `LISTEN`, the start-up lock.
    var postgresConnectionConfiguration: PostgresConnection.Configuration? { storage[PostgresConnectionKey.self] }

    /// Runs `body` (the migrations, the demo data) on one starting node at a time: on
    /// PostgreSQL under an advisory lock held by a connection of its own, so nodes started
    /// together do not race to create the same tables; on SQLite (one node) as it is.
    func oneNodeAtATime(_ body: () async throws -> Void) async throws {
        guard let configuration = postgresConnectionConfiguration else { return try await body() }
        let connection = try await PostgresConnection.connect(on: eventLoopGroup.any(), configuration: configuration, id: 1, logger: logger).get()
        do {
            _ = try await connection.query("SELECT pg_advisory_lock(7406001)", logger: logger)
            try await body()
            _ = try await connection.query("SELECT pg_advisory_unlock(7406001)", logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
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
