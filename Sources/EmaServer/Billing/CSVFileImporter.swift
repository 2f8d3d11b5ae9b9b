import EmaCore
import Fluent
import Foundation

/// Imports a CSV file (billing's, and the contact centre's calls) all or nothing, streaming it so memory stays flat whatever its size.
///
/// 1. Validation pass: every line is parsed and checked (and, for bills, every contract looked up
///    in batches); repeated keys are caught by `DuplicateFinder` plus an exact second look.
/// 2. If any line is bad, nothing is written and every problem is returned, in line order.
/// 3. Otherwise a write pass upserts in batches of `BillingStore.batchSize`.
struct CSVFileImporter {
    enum Kind: String, CaseIterable, Sendable {
        case contracts
        case invoices
        case prepaid
        case somos
        case calls

        var spanishName: String {
            switch self {
            case .contracts: "contratos"
            case .invoices: "facturas"
            case .prepaid: "recargas prepago"
            case .somos: "movimientos de la tarjeta SOMOS"
            case .calls: "llamadas del centro de contacto"
            }
        }
    }

    enum Phase: String, Sendable {
        case validating = "Validando"
        case confirming = "Revisando repetidos"
        case writing = "Importando"
    }

    enum Outcome: Sendable, Equatable {
        case imported(UpsertCounts, ignoredColumns: [String])
        case rejected([FieldProblem])
    }

    let database: any Database
    let clock: AppClock
    var chunkSize = 256 * 1024
    /// Called with the phase, bytes read so far and the file size.
    var progress: @Sendable (Phase, Int, Int) -> Void = { _, _, _ in }

    func importFile(_ kind: Kind, path: String) async throws -> Outcome {
        switch kind {
        case .contracts:
            return try await run(ContractCSV.self, path: path, check: { _ in [] }, write: { rows, store in
                try await store.upsertContracts(rows)
            })
        case .invoices:
            return try await run(InvoiceCSV.self, path: path, check: { batch in
                try await missingContracts(batch)
            }, write: { rows, store in
                try await store.upsertInvoices(rows, contractIDs: try await store.contractIDs(for: rows.map(\.contractNumber)))
            })
        case .prepaid:
            // A meter's lines must agree on its contract, service and mobile.
            let seen = MeterLines()
            return try await run(PrepaidCSV.self, path: path, check: { batch in
                try await missingContracts(batch.map { ($0.line, $0.row.contractNumber) }) + seen.conflicts(batch)
            }, write: { [database, clock] rows, store in
                try await PrepaidStore(database: database).upsert(rows, contractIDs: try await store.contractIDs(for: rows.map(\.contractNumber)), now: clock.now())
            })
        case .somos:
            return try await run(SomosCSV.self, path: path, check: { _ in [] }, write: { [database, clock] rows, _ in
                try await SomosStore(database: database).upsert(rows, now: clock.now())
            })
        case .calls:
            // The contact centre's calls are Insights' (the phone channel's indicators).
            return try await run(CallCSV.self, path: path, check: { _ in [] }, write: { [database] rows, _ in
                try await PhoneCalls(database: database).upsert(rows)
            })
        }
    }

    /// The first line of each meter, to catch later lines that disagree with it.
    final class MeterLines: @unchecked Sendable {
        var first: [String: (line: Int, contract: String, service: PrepaidRow.Service, mobile: String)] = [:]

        func conflicts(_ batch: [(line: Int, row: PrepaidRow)]) -> [FieldProblem] {
            batch.compactMap { line, row in
                guard let earlier = first[row.meterNumber] else {
                    first[row.meterNumber] = (line, row.contractNumber, row.service, row.mobile)
                    return nil
                }
                guard earlier.contract != row.contractNumber || earlier.service != row.service || earlier.mobile != row.mobile else { return nil }
                return FieldProblem(line: line, column: "meter_number",
                                    message: "el medidor \(row.meterNumber) tiene otro contrato, servicio o celular en la línea \(earlier.line); todas sus líneas deben coincidir")
            }
        }
    }

    private func missingContracts(_ batch: [(line: Int, row: InvoiceRow)]) async throws -> [FieldProblem] {
        try await missingContracts(batch.map { ($0.line, $0.row.contractNumber) })
    }

    private func missingContracts(_ batch: [(line: Int, contract: String)]) async throws -> [FieldProblem] {
        let store = BillingStore(database: database, now: clock.now())
        let known = try await store.contractIDs(for: batch.map(\.contract))
        return batch.filter { known[$0.contract] == nil }.map {
            FieldProblem(line: $0.line, column: "contract_number",
                         message: "el contrato \($0.contract) no existe en Ema; impórtelo primero con «ema import contracts»")
        }
    }

    private func run<Format: CSVRowFormat>(
        _ format: Format.Type,
        path: String,
        check: ([(line: Int, row: Format.Row)]) async throws -> [FieldProblem],
        write: ([Format.Row], BillingStore) async throws -> UpsertCounts
    ) async throws -> Outcome {
        let size = try Self.fileSize(path)
        var header: CSVHeader?
        var problems: [FieldProblem] = []
        // A fixed 16 MiB filter whatever the file's size, so memory stays flat up to millions of rows.
        var finder = DuplicateFinder(expectedKeys: 4_000_000)
        var sawHeader = false

        // 1. Validation pass.
        var batch: [(line: Int, row: Format.Row)] = []
        try await forEachRecordBatch(path: path, size: size, phase: .validating) { records in
            for record in records {
                if !sawHeader {
                    sawHeader = true
                    do throws(ImportProblems) { header = try Format.header(record) } catch { problems += error.problems }
                    continue
                }
                guard let header else { continue }
                switch Format.parse(record, header: header) {
                case .success(let row):
                    finder.insert(Format.key(of: row))
                    batch.append((record.line, row))
                case .failure(let failure):
                    problems += failure.problems
                }
            }
            if batch.count >= BillingStore.batchSize {
                problems += try await check(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { problems += try await check(batch) }
        if !sawHeader {
            problems.append(FieldProblem(line: 1, column: nil, message: "el archivo está vacío: falta la fila de encabezado (\(Format.requiredColumns.joined(separator: ",")))"))
        }
        guard let header else { return .rejected(problems) }

        // Exact second look at the few keys the filter flagged.
        if !finder.candidates.isEmpty, let keyIndex = header.columnIndex[Format.keyColumn] {
            var confirmer = DuplicateConfirmer(candidates: finder.candidates)
            var first = true
            try await forEachRecordBatch(path: path, size: size, phase: .confirming) { records in
                for record in records {
                    if first { first = false; continue }
                    guard record.problem == nil, keyIndex < record.fields.count else { continue }
                    let key = record.fields[keyIndex].trimmingCharacters(in: .whitespaces)
                    if let firstLine = confirmer.check(key, line: record.line) {
                        problems.append(FieldProblem(
                            line: record.line, column: Format.keyColumn,
                            message: "«\(CSVFieldReader.echo(key))» está repetido: ya aparece en la línea \(firstLine)"
                        ))
                    }
                }
            }
        }
        guard problems.isEmpty else {
            return .rejected(problems.sorted { ($0.line, $0.column ?? "") < ($1.line, $1.column ?? "") })
        }

        // 3. Write pass.
        var counts = UpsertCounts()
        var rows: [Format.Row] = []
        var first = true
        let store = BillingStore(database: database, now: clock.now())
        try await forEachRecordBatch(path: path, size: size, phase: .writing) { records in
            for record in records {
                if first { first = false; continue }
                if case .success(let row) = Format.parse(record, header: header) { rows.append(row) }
            }
            while rows.count >= BillingStore.batchSize {
                counts += try await write(Array(rows.prefix(BillingStore.batchSize)), store)
                rows.removeFirst(BillingStore.batchSize)
            }
        }
        if !rows.isEmpty { counts += try await write(rows, store) }
        return .imported(counts, ignoredColumns: header.ignoredColumns)
    }

    /// Reads the file in chunks and hands out the records of each chunk.
    private func forEachRecordBatch(path: String, size: Int, phase: Phase, _ body: ([CSVRecord]) async throws -> Void) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportFileError.unreadable(path) }
        defer { try? handle.close() }
        var parser = CSVParser()
        var records: [CSVRecord] = []
        var done = 0
        progress(phase, 0, size)
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            parser.feed(chunk) { records.append($0) }
            done += chunk.count
            try await body(records)
            records.removeAll(keepingCapacity: true)
            progress(phase, done, size)
        }
        parser.finish { records.append($0) }
        try await body(records)
    }

    static func fileSize(_ path: String) throws -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ImportFileError.notFound(path)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}

enum ImportFileError: Error, CustomStringConvertible {
    case notFound(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .notFound(let path): "No se encontró el archivo «\(path)»."
        case .unreadable(let path): "No se pudo leer el archivo «\(path)»: revise sus permisos."
        }
    }
}
