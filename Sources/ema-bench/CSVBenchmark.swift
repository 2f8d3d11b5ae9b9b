// The CSV benchmark (issue 24): the importer's own streaming parser (EmaCore.CSVParser) against
// a maintained library, yaslab/CSV.swift (its streaming `CSVReader` over an `InputStream`; the
// other candidate, SwiftCSV, reads the whole file into one string, which a million-row import
// must not). One file of `--rows` contract rows, in Excel-in-Spanish form (a byte-order mark,
// `;`, CRLF; every tenth name quoted with a `;` and doubled quotes, every fiftieth with a line
// break). Each parser runs in its own process (`ema-bench csv-parse`), alternately, `--runs`
// times; the figures are wall time and the process's peak resident memory, and both must find
// the same records and the same bytes.
import CSV
import EmaCore
import Foundation

func csvBenchmark(_ arguments: [String], bench: String) throws {
    let rows = Int(arguments.option("--rows") ?? "") ?? 1_000_000
    let runs = Int(arguments.option("--runs") ?? "") ?? 3
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("ema-bench-csv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let file = work.appendingPathComponent("contracts.csv").path
    try writeExcelContracts(rows: rows, to: file)
    let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
    print("ema-bench csv · \(rows) rows, \(size / 1_048_576) MiB, `;` separators · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(runs) runs each")
    var results: [String: [Measurement]] = [:]
    var outputs: [String: String] = [:]
    for _ in 0..<runs {
        for parser in ["ema", "csv.swift"] {
            let measurement = try runEma(bench, ["csv-parse", "--parser", parser, "--file", file], environment: [:])
            results[parser, default: []].append(measurement)
            outputs[parser] = measurement.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
    print("parser      seconds (min / median / max)   rows/s (median)   peak RSS (MiB)   records · bytes")
    for parser in ["ema", "csv.swift"] {
        let seconds = (results[parser] ?? []).map(\.seconds).sorted()
        let median = seconds[seconds.count / 2]
        let memory = (results[parser] ?? []).map(\.peakMemoryBytes).max() ?? 0
        print("\(parser.padding(toLength: 11, withPad: " ", startingAt: 0)) \(format(seconds.first ?? 0, 2)) / \(format(median, 2)) / \(format(seconds.last ?? 0, 2))"
            + "            \(String(Int(Double(rows) / median)).padding(toLength: 17, withPad: " ", startingAt: 0)) \(format(Double(memory) / 1_048_576))            \(outputs[parser] ?? "")")
    }
    if Set(outputs.values).count != 1 { fail("the parsers disagree: \(outputs)") }
}

/// Writes the contracts as Excel in Spanish saves them, streaming.
func writeExcelContracts(rows: Int, to path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { fail("cannot write \(path)") }
    defer { try? handle.close() }
    let municipalities = ["Medellín", "Bello", "Itagüí", "Envigado", "Sabaneta", "Rionegro"]
    var buffer = "\u{FEFF}contract_number;holder_name;address;municipality;segment;services;status\r\n"
    for index in 0..<rows {
        var name = "Titular de prueba \(index)"
        if index % 10 == 0 { name = "\"Restrepo; Ana \"\"la Mona\"\" \(index)\"" }
        if index % 50 == 0 { name = "\"Alcaldía \(index)\r\n(Hacienda)\"" }
        buffer += "\(100_000_000 + index);\(name);CL \(index % 120) \(index % 97) \(index % 89);\(municipalities[index % municipalities.count]);hogares;\"energia;agua\";activo\r\n"
        if buffer.utf8.count > 1 << 20 {
            handle.write(Data(buffer.utf8))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer.utf8))
}

/// `ema-bench csv-parse --parser ema|csv.swift --file F`: parses F and prints the records and
/// the bytes of their fields (the same work, checked, for both).
func csvParse(_ arguments: [String]) throws {
    guard let file = arguments.option("--file") else { fail("csv-parse needs --file") }
    var records = 0
    var bytes = 0
    switch arguments.option("--parser") {
    case "ema":
        guard let handle = FileHandle(forReadingAtPath: file) else { fail("cannot read \(file)") }
        var parser = CSVParser()
        func take(_ record: CSVRecord) {
            records += 1
            for field in record.fields { bytes += field.utf8.count }
        }
        while let chunk = try handle.read(upToCount: 256 * 1_024), !chunk.isEmpty {
            parser.feed(chunk, take)
        }
        parser.finish(take)
    case "csv.swift":
        guard let stream = InputStream(fileAtPath: file) else { fail("cannot read \(file)") }
        let reader = try CSVReader(stream: stream, delimiter: ";")
        while let row = reader.next() {
            records += 1
            for field in row { bytes += field.utf8.count }
        }
        // On Linux, Foundation's InputStream says bytes are available until a read returns 0,
        // so CSV.swift ends every file with `cannotReadFile` (a true read error looks the same):
        // the records are compared with the other parser's instead.
        if let error = reader.error, "\(error)" != "cannotReadFile" { fail("csv.swift: \(error)") }
    default:
        fail("csv-parse --parser ema|csv.swift")
    }
    print("\(records) · \(bytes)")
}
