// The import benchmark: for each size, writes a contracts.csv, runs `ema import contracts` on it
// twice (first load, then a re-import where every row is unchanged) and prints wall time, rows
// per second and the peak resident memory of the `ema` process.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct Measurement {
    let seconds: Double
    let peakMemoryBytes: Int
    let output: String
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ema-bench: \(message)\n".utf8))
    exit(2)
}

/// Writes `rows` contract rows, streaming (the generator holds one line at a time).
func writeContracts(rows: Int, to path: String, variant: Int = 0) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil) else { fail("cannot create \(path)") }
    guard let handle = FileHandle(forWritingAtPath: path) else { fail("cannot write \(path)") }
    defer { try? handle.close() }
    let municipalities = ["Medellín", "Bello", "Itagüí", "Envigado", "Sabaneta", "Rionegro", "Apartadó", "Caldas"]
    let segments = ["hogares", "hogares", "hogares", "empresas", "grandes_clientes", "gobierno"]
    let services = ["energia;agua;alcantarillado", "energia", "energia;agua;alcantarillado;gas", "agua;alcantarillado"]
    var buffer = "contract_number,holder_name,address,municipality,segment,services,status\n"
    for index in 0..<rows {
        let number = 100_000_000 + index
        buffer += "\(number),Titular de prueba \(index + variant),CL \(index % 120) \(index % 97) \(index % 89) AP \(index % 1500),"
        buffer += "\(municipalities[index % municipalities.count]),\(segments[index % segments.count]),\(services[index % services.count]),activo\n"
        if buffer.utf8.count > 1 << 20 {
            handle.write(Data(buffer.utf8))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer.utf8))
}

/// Runs `ema` with the given arguments and measures it: wall time, and the peak resident memory
/// of that one process (`wait4` returns the child's own resource usage).
func runEma(_ ema: String, _ arguments: [String], environment: [String: String]) throws -> Measurement {
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("ema-bench-out-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ([ema] + arguments).map { strdup($0) } + [nil]
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid = pid_t()
    let start = Date()
    guard posix_spawn(&pid, ema, &actions, nil, argv, envp) == 0 else { fail("cannot start \(ema)") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Date().timeIntervalSince(start)
    guard status == 0 else { fail("ema \(arguments.joined(separator: " ")) failed (status \(status))") }
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // ru_maxrss is in KiB on Linux.
    return Measurement(seconds: seconds, peakMemoryBytes: Int(usage.ru_maxrss) * 1024, output: output)
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

func importBenchmark(_ arguments: [String], ema: String) throws {
var sizes = [100_000, 1_000_000]
if let index = arguments.firstIndex(of: "--rows"), index + 1 < arguments.count {
    sizes = arguments[index + 1].split(separator: ",").compactMap { Int($0) }
}
let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
let work = FileManager.default.temporaryDirectory.appendingPathComponent("ema-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

print("ema-bench import · \(databaseURL == nil ? "SQLite" : "PostgreSQL") · \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("rows       run         seconds   rows/s    peak RSS (MiB)")
for (position, rows) in sizes.enumerated() {
    let file = work.appendingPathComponent("contracts-\(rows).csv").path
    try writeContracts(rows: rows, to: file)
    var environment = ["LOG_LEVEL": "warning", "EMA_WORKERS": "off"]
    if databaseURL == nil {
        environment["EMA_SQLITE_PATH"] = work.appendingPathComponent("bench-\(position).sqlite").path
    } else if position > 0 {
        // One database for every size on PostgreSQL: earlier rows are updated, the rest new.
    }
    for run in ["first load", "re-import"] {
        let measurement = try runEma(ema, ["import", "contracts", file], environment: environment)
        let rate = Double(rows) / measurement.seconds
        let counts = measurement.output.split(separator: "\n").filter { $0.contains(":") && $0.hasPrefix("  ") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        print("\(String(rows).padding(toLength: 10, withPad: " ", startingAt: 0)) \(run.padding(toLength: 11, withPad: " ", startingAt: 0)) "
            + "\(format(measurement.seconds).padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(Int(rate)).padding(toLength: 9, withPad: " ", startingAt: 0)) "
            + "\(format(Double(measurement.peakMemoryBytes) / 1_048_576))   (\(counts))")
    }
    try? FileManager.default.removeItem(atPath: file)
}
}
