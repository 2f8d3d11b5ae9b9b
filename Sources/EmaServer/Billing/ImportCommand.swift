import EmaCore
import Foundation
import Vapor

/// `ema import contracts|invoices|prepaid|somos|calls FILE`: validates the whole file, then
/// upserts it, all or nothing.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "contracts (contratos), invoices (facturas), prepaid (recargas prepago) somos (movimientos de la tarjeta SOMOS) o calls (llamadas del centro de contacto)")
        var kind: String

        @Argument(name: "file", help: "Ruta del archivo CSV (UTF-8, con encabezado)")
        var file: String
    }

    var help: String {
        "Importa contratos o facturas desde un CSV. Valida todo el archivo primero: si una línea está mal, no importa nada."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let kind = CSVFileImporter.Kind(rawValue: signature.kind.lowercased()) else {
            throw CommandFailure("No conozco «\(signature.kind)». Use: ema import contracts ARCHIVO, ema import invoices ARCHIVO, ema import prepaid ARCHIVO, ema import somos ARCHIVO o ema import calls ARCHIVO.")
        }
        let app = context.application
        try await app.autoMigrate()
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        let importer = CSVFileImporter(database: app.db, clock: app.clock, progress: bar.update)
        let outcome: CSVFileImporter.Outcome
        do {
            outcome = try await importer.importFile(kind, path: signature.file)
        } catch let error as ImportFileError {
            bar.finish()
            throw CommandFailure(error.description)
        }
        bar.finish()
        switch outcome {
        case .rejected(let problems):
            var report = ""
            for problem in problems { report += problem.description + "\n" }
            FileHandle.standardError.write(Data(report.utf8))
            let lines = Set(problems.map(\.line)).count
            throw CommandFailure(
                "No se importó nada: \(lines == 1 ? "1 línea tiene" : "\(lines) líneas tienen") problemas en «\(signature.file)». \(lines == 1 ? "Corríjala" : "Corríjalas") y vuelva a intentarlo."
            )
        case .imported(let counts, let ignored):
            if !ignored.isEmpty {
                FileHandle.standardError.write(Data("Aviso: se ignoraron las columnas \(ignored.joined(separator: ", ")), que Ema no usa.\n".utf8))
            }
            context.console.print("Importación de \(kind.spanishName) terminada: \(counts.total) filas.")
            context.console.print("  nuevos: \(counts.new)")
            context.console.print("  actualizados: \(counts.updated)")
            context.console.print("  sin cambios: \(counts.unchanged)")
        }
    }
}

/// A command that could not do its work; the entry point prints the message and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
