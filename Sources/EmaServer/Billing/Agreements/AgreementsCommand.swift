import EmaCore
import Fluent
import Foundation
import Vapor

/// `ema agreements export --period YYYY-MM [--out FILE]`: the instalments the billing system must
/// put on that period's bills, one line per active agreement that bills one then.
struct AgreementsCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["export": AgreementExportCommand(), "somos": SomosRestructuringExportCommand()]
    var help: String { "Acuerdos de pago: las cuotas que se facturan en un periodo, y las reestructuraciones SOMOS activadas." }
}

struct AgreementExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "period", help: "Periodo de facturación, AAAA-MM")
        var period: String?
        @Option(name: "out", help: "Archivo donde escribir el CSV (por defecto, la salida estándar)")
        var out: String?
    }

    var help: String { "Escribe el CSV de las cuotas de acuerdos de pago que se facturan en el periodo." }

    static let header = ["acuerdo", "contrato", "cuota", "cuotas", "periodo", "valor_cop", "capital_cop", "interes_cop", "saldo_despues_cop"]

    /// The CSV and how many instalments it holds. Cancelled agreements bill nothing from then on.
    static func csv(period: BillingPeriod, on database: any Database) async throws -> (text: String, count: Int) {
        var text = CSVWriter.line(header)
        var count = 0
        for agreement in try await PaymentAgreement.query(on: database).filter(\.$status == PaymentAgreement.Status.active.rawValue)
            .with(\.$contract).sort(\.$number).all() {
            guard let (number, row) = agreement.instalment(in: period) else { continue }
            text += CSVWriter.line([agreement.number, agreement.contract.contractNumber, String(number), String(agreement.instalments), period.description,
                                    String(row.payment), String(row.principal), String(row.interest), String(row.remaining)])
            count += 1
        }
        return (text, count)
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let period = signature.period.flatMap(BillingPeriod.init) else {
            throw CommandFailure("Indique el periodo así: ema agreements export --period 2027-01")
        }
        try await context.application.autoMigrate()
        let (csv, count) = try await Self.csv(period: period, on: context.application.db)
        try Self.write(csv, to: signature.out, console: context.console, done: "Escribí \(count) cuotas de \(period.displayName)")
    }

    /// The CSV to the standard output, or to `out` (then `done` and the file are said).
    static func write(_ csv: String, to out: String?, console: any Console, done: String) throws {
        guard let out else {
            FileHandle.standardOutput.write(Data(csv.utf8))
            return
        }
        do {
            try csv.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure("No se pudo escribir «\(out)»: \(error.localizedDescription)")
        }
        console.print("\(done) en \(out).")
    }
}

/// `ema agreements somos --period YYYY-MM [--out FILE]`: the SOMOS restructurings activated in
/// the month, for the card system (each with the card's latest movement id: Ema keeps no card number).
struct SomosRestructuringExportCommand: AsyncCommand {
    typealias Signature = AgreementExportCommand.Signature

    var help: String { "Escribe el CSV de las reestructuraciones de la tarjeta SOMOS activadas en el mes." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let period = signature.period.flatMap(BillingPeriod.init) else {
            throw CommandFailure("Indique el mes así: ema agreements somos --period 2026-12")
        }
        try await context.application.autoMigrate()
        let csv = try await SomosRestructurings.export(period: period, on: context.application.db)
        try AgreementExportCommand.write(csv, to: signature.out, console: context.console,
                                         done: "Escribí \(csv.split(separator: "\n").count - 1) reestructuraciones de \(period.displayName)")
    }
}
