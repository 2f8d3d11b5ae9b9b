import Vapor

/// `ema serve [--hostname H] [--port P] [--demo]`: applies pending migrations, loads the demo
/// data when asked, starts the background workers (unless `EMA_WORKERS=off`) and serves HTTP
/// through Vapor's own serve command, which handles SIGINT/SIGTERM.
struct EmaServeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "hostname", short: "H", help: "Dirección donde escuchar (por defecto 127.0.0.1)")
        var hostname: String?

        @Option(name: "port", short: "p", help: "Puerto (por defecto 8080)")
        var port: Int?

        @Option(name: "bind", short: "b", help: "Dirección y puerto juntos: 0.0.0.0:8080")
        var bind: String?

        @Flag(name: "demo", help: "Carga los datos de demostración antes de servir (idempotente)")
        var demo: Bool
    }

    var help: String { "Sirve Ema por HTTP y ejecuta los trabajos en segundo plano." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        app.isDemo = signature.demo
        // Nodes started together take turns: the first migrates (and loads the demo), the next
        // finds it done.
        try await app.oneNodeAtATime {
            try await app.autoMigrate()
            guard signature.demo else { return }
            let summary = try await DemoData.load(into: app)
            try await app.staffService().loadDemoAccounts()
            try await DemoIndicators.load(into: app)
            try await KnowledgeDemo.load(into: app)
            try await UsageDemo.load(into: app)
            app.logger.notice("Datos de demostración listos", metadata: [
                "contratos": .string(summary.contracts.spanishSummary), "facturas": .string(summary.invoices.spanishSummary),
            ])
        }
        app.logProviders()
        if app.emaConfig.workersEnabled {
            try await app.startJobRunner()
        } else {
            app.logger.notice("EMA_WORKERS=off: este nodo no ejecuta trabajos en segundo plano")
        }
        var arguments = ["ema serve"]
        if let hostname = signature.hostname { arguments += ["--hostname", hostname] }
        if let port = signature.port { arguments += ["--port", String(port)] }
        if let bind = signature.bind { arguments += ["--bind", bind] }
        var serveContext = context
        serveContext.input = CommandInput(arguments: arguments)
        try await app.servers.asyncCommand.run(using: &serveContext)
    }
}
