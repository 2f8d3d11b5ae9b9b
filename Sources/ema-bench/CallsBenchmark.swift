// The calls benchmark (issue 23): writes a calls.csv of `--rows` contact-centre calls
// (EmaCore.SampleCalls, from 1 January 2026 on, `--per-day` on a business day), runs
// `ema import calls` on it twice (first load, then a re-import where every call is unchanged)
// with wall time, rows per second and peak memory, then starts `ema serve` on that database
// and times the public indicators of three full months (the phone figures are counted in the
// database by groups; the first request of a month is not cached).
import AsyncHTTPClient
import EmaCore
import Foundation

func callsBenchmark(_ arguments: [String], ema: String) async throws {
    let rows = Int(arguments.option("--rows") ?? "") ?? 1_000_000
    let perDay = Int(arguments.option("--per-day") ?? "") ?? 4_000
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("ema-bench-calls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let file = work.appendingPathComponent("calls.csv").path
    let months = try writeCalls(rows: rows, perDay: perDay, to: file)
    let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0

    print("ema-bench calls · \(databaseURL == nil ? "SQLite" : "PostgreSQL") · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(rows) calls, \(size / 1_048_576) MiB, \(months.count) months")
    print("run         seconds   rows/s    peak RSS (MiB)")
    var environment = ["LOG_LEVEL": "warning", "EMA_WORKERS": "off"]
    let sqlite = work.appendingPathComponent("calls.sqlite").path
    if databaseURL == nil { environment["EMA_SQLITE_PATH"] = sqlite }
    for run in ["first load", "re-import"] {
        let measurement = try runEma(ema, ["import", "calls", file], environment: environment)
        print("\(run.padding(toLength: 11, withPad: " ", startingAt: 0)) \(format(measurement.seconds).padding(toLength: 9, withPad: " ", startingAt: 0)) "
            + "\(String(Int(Double(rows) / measurement.seconds)).padding(toLength: 9, withPad: " ", startingAt: 0)) \(format(Double(measurement.peakMemoryBytes) / 1_048_576))")
    }

    // The public page's figures of three full months, each counted afresh.
    let server = try await ServerUnderTest(ema: ema, environment: databaseURL == nil ? ["EMA_SQLITE_PATH": sqlite] : [:])
    defer { server.stop() }
    for (month, calls) in months.sorted(by: { $0.key < $1.key }).dropFirst().prefix(3) {
        let start = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.base + "/indicadores.csv?mes=\(month)"), timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 24)
        let elapsed = durationSeconds(ContinuousClock.now - start)
        guard response.status == .ok, String(buffer: body).contains("\(month),nivel_servicio_telefono,total,") else { fail("/indicadores.csv?mes=\(month) failed") }
        print("indicators of \(month) (\(calls) calls): \(format(elapsed * 1000, 0)) ms")
    }
}

/// Writes `rows` calls, streaming; returns how many fell in each month.
func writeCalls(rows: Int, perDay: Int, to path: String) throws -> [String: Int] {
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { fail("cannot write \(path)") }
    defer { try? handle.close() }
    var buffer = SampleCalls.csvHeader
    var months: [String: Int] = [:]
    var day = CivilDate("2026-01-01")!
    var written = 0
    while written < rows {
        let count = SampleCalls.count(on: day, perBusinessDay: perDay)
        let taken = min(count, rows - written)
        for index in 0..<taken {
            buffer += SampleCalls.csvLine(SampleCalls.call(day: day, index: index, count: count, prefix: "BENCH"))
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        written += taken
        months[String(day.description.prefix(7)), default: 0] += taken
        day = day.adding(days: 1)
    }
    handle.write(Data(buffer.utf8))
    return months
}
