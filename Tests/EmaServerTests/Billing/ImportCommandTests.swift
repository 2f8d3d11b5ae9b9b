@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor

/// The `ema` executable, run as an operator would. Always on a SQLite file of its own: the
/// import logic itself is tested on both databases in `ImportTests`.
@Suite("ema import, from the command line")
struct ImportCommandTests {
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    static let executable: String = {
        if let path = ProcessInfo.processInfo.environment["EMA_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ema").path
    }()

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func ema(_ arguments: [String], database: String, environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMA_") && $0.key != "DATABASE_URL" }
        environment["EMA_SQLITE_PATH"] = database
        environment["LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
    }

    func freshDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ema-cli-\(UUID().uuidString)/ema.sqlite").path
    }

    @Test("A good file prints the summary; importing it again changes nothing")
    func goodFile() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build the ema executable first (swift build)")
        let database = freshDatabase()
        let file = try temporaryFile(ImportTests.goodContracts)
        let first = try ema(["import", "contracts", file], database: database)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("nuevos: 4"))
        #expect(first.output.contains("actualizados: 0"))
        let second = try ema(["import", "contracts", file], database: database)
        #expect(second.status == 0)
        #expect(second.output.contains("nuevos: 0"))
        #expect(second.output.contains("sin cambios: 4"))
    }

    @Test("A bad file names every bad line, exits 1 and imports nothing")
    func badFile() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build the ema executable first (swift build)")
        let database = freshDatabase()
        let file = try temporaryFile("""
            contract_number,holder_name,address,municipality,segment,services,status
            10234567,Ana,CL 1 2 3,Medellín,hogares,agua,activo
            12A4,Luis,CL 1 2 3,Bello,hogares,agua,activo
            20345678,Eva,CL 1 2 3,Bello,hogar,agua,activo
            """)
        let run = try ema(["import", "contracts", file], database: database)
        #expect(run.status == 1)
        #expect(run.errors.contains("línea 3, columna contract_number"))
        #expect(run.errors.contains("línea 4, columna segment"))
        #expect(run.errors.contains("No se importó nada: 2 líneas tienen problemas"))
        #expect(!run.output.contains("nuevos"))

        try await withEmaApp(configure: { $0.database = .sqlite(path: database) }) { app in
            let count = try await Contract.query(on: app.db).count()
            #expect(count == 0)
        }
    }

    @Test("Unknown kinds, missing files and bad configuration exit 1 with a clear message")
    func usageErrors() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build the ema executable first (swift build)")
        let database = freshDatabase()
        let kind = try ema(["import", "clientes", "x.csv"], database: database)
        #expect(kind.status == 1)
        #expect(kind.errors.contains("ema import contracts"))

        let missing = try ema(["import", "invoices", "/no/existe.csv"], database: database)
        #expect(missing.status == 1)
        #expect(missing.errors.contains("No se encontró el archivo"))

        let config = try ema(["import", "contracts", "x.csv"], database: database,
                             environment: ["WHATSAPP_MAX_MPS": "muchos", "DATABASE_URL": "mysql://u:ClaveSecreta1@h/db"])
        #expect(config.status == 1)
        #expect(config.errors.contains("WHATSAPP_MAX_MPS"))
        #expect(config.errors.contains("DATABASE_URL"))
        #expect(!config.errors.contains("ClaveSecreta1"))
    }
}

@Suite("ema invoices dispatch, from the command line")
struct DispatchCommandTests {
    @Test("Dispatches a period, waits for the sends, and a second run queues nothing")
    func dispatchAndWait() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ImportCommandTests.executable), "build the ema executable first (swift build)")
        let database = ImportCommandTests().freshDatabase()
        var period = ""
        try await withEmaApp(configure: { $0.database = .sqlite(path: database) }) { app in
            _ = try await DemoData.load(into: app)
            let outcome = try await EnrollmentService(database: app.db, clock: app.clock)
                .enroll(EnrollmentRequest(phone: "+573001234567", contractNumber: "10234567", holderName: "María Restrepo", channel: .web))
            #expect(outcome == .enrolled)
            period = try #require(try await Invoice.query(on: app.db).sort(\.$period, .descending).first()).period
        }
        // Without WhatsApp configured, and without the sandbox, nothing is queued.
        let refused = try ImportCommandTests().ema(["invoices", "dispatch", "--period", period], database: database)
        #expect(refused.status == 1)
        #expect(refused.errors.contains("El envío por WhatsApp no está disponible"))
        let sandbox = ["EMA_SANDBOX": "on"]
        let first = try ImportCommandTests().ema(["invoices", "dispatch", "--period", period, "--wait"], database: database, environment: sandbox)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("1 en cola"))
        #expect(first.output.contains("Listo: 1 enviadas, 0 fallidas."))
        let second = try ImportCommandTests().ema(["invoices", "dispatch", "--period", period], database: database, environment: sandbox)
        #expect(second.output.contains("0 en cola, 1 ya estaban en cola"))
        try await withEmaApp(migrate: false, configure: { $0.database = .sqlite(path: database) }) { app in
            let sent = try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").count()
            #expect(sent == 1)
        }
    }
}
