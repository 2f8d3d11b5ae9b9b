import EmaCore
import Fluent
import Foundation
import Vapor

/// `ema invoices …`: the monthly bill delivery.
struct InvoicesCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["dispatch": DispatchCommand(), "close": CloseCommand(), "paper-list": PaperListCommand()]
    var help: String { "Envío mensual de la factura por WhatsApp" }
}

/// `ema invoices dispatch --period YYYY-MM [--wait]`.
struct DispatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "period", help: "Periodo de facturación, AAAA-MM")
        var period: String?

        @Flag(name: "wait", help: "Espera a que cada mensaje quede enviado o fallido (ejecuta un trabajador mientras tanto)")
        var wait: Bool
    }

    var help: String { "Pone en cola la factura del periodo para cada inscripción activa (una sola vez por inscripción y factura)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let text = signature.period, let period = BillingPeriod(text) else {
            throw CommandFailure("Indique el periodo así: ema invoices dispatch --period 2026-11")
        }
        let app = context.application
        guard app.whatsAppAvailable else { throw CommandFailure(BillingError.whatsAppUnavailable.reason) }
        try await app.autoMigrate()
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        let summary = try await app.dispatchService().dispatch(period: period) { read, total in
            bar.update("Poniendo en cola", count: read, of: total)
        }
        bar.finish()
        context.console.print("Facturas de \(period.displayName): \(summary.queued) en cola, \(summary.alreadyQueued) ya estaban en cola, \(summary.withoutBill) inscripciones sin factura en el periodo.")
        guard signature.wait else { return }
        var settings = JobRunner.Settings()
        settings.concurrency = app.usesSQLite ? 1 : app.emaConfig.workerConcurrency
        settings.pollInterval = 0.2
        let runner = JobRunner(application: app, registry: app.jobs, settings: settings)
        await runner.start()
        let deadline = Date().addingTimeInterval(3_600)
        var last = -1
        while Date() < deadline {
            let pending = try await Delivery.query(on: app.db).filter(\.$period == period.description)
                .filter(\.$status == DeliveryStatus.queued.rawValue).count()
            if pending != last {
                context.console.print("  por enviar: \(pending)")
                last = pending
            }
            if pending == 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        await runner.stop()
        let all = try await Delivery.query(on: app.db).filter(\.$period == period.description).all()
        let failed = all.filter { $0.status == DeliveryStatus.failed.rawValue }.count
        context.console.print("Listo: \(all.count - failed) enviadas, \(failed) fallidas.")
    }
}

/// `ema invoices close --period YYYY-MM`.
struct CloseCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "period", help: "Periodo de facturación, AAAA-MM")
        var period: String?
    }

    var help: String { "Aplica la política de entregas fallidas al periodo e imprime lo que cambió." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let text = signature.period, let period = BillingPeriod(text) else {
            throw CommandFailure("Indique el periodo así: ema invoices close --period 2026-11")
        }
        try await context.application.autoMigrate()
        let summary = try await context.application.closeService().close(period: period)
        context.console.print("Cierre de \(period.displayName):")
        context.console.print("  entregadas: \(summary.delivered)")
        context.console.print("  fallidas: \(summary.failed) (\(summary.markedUndeliverable) sin confirmar entrega, contadas como no entregadas)")
        context.console.print("  contratos con factura impresa en \(period.next.displayName): \(summary.paperNextPeriod)")
        context.console.print("  inscripciones desactivadas tras 3 periodos seguidos sin entrega: \(summary.deactivated)")
    }
}

/// `ema invoices paper-list --period YYYY-MM [--out FILE]`.
struct PaperListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "period", help: "Periodo de facturación, AAAA-MM")
        var period: String?

        @Option(name: "out", help: "Archivo donde escribir el CSV (por defecto, la salida estándar)")
        var out: String?
    }

    var help: String { "El CSV de contratos que reciben la factura impresa en el periodo, para la imprenta." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let text = signature.period, let period = BillingPeriod(text) else {
            throw CommandFailure("Indique el periodo así: ema invoices paper-list --period 2026-12")
        }
        try await context.application.autoMigrate()
        let list = context.application.paperList()
        guard let out = signature.out else {
            _ = try await list.write(period: period) { FileHandle.standardOutput.write(Data($0.utf8)) }
            return
        }
        // Written beside the target and moved over it at the end: a failure leaves no half list.
        let partial = out + ".parcial"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let file = FileHandle(forWritingAtPath: partial) else {
            throw CommandFailure("No se pudo escribir «\(out)»: revise que la carpeta exista y se pueda escribir en ella.")
        }
        let contracts: Int
        do {
            contracts = try await list.write(period: period) { try file.write(contentsOf: Data($0.utf8)) }
            try file.close()
            _ = try? FileManager.default.removeItem(atPath: out)
            try FileManager.default.moveItem(atPath: partial, toPath: out)
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw CommandFailure("No se pudo escribir «\(out)»: \(error.localizedDescription)")
        }
        context.console.print("Escribí \(contracts) contratos en \(out).")
    }
}
