// ema-bench: measures Ema from outside, the way operators and customers use it.
//
//   swift build -c release
//   .build/release/ema-bench import --rows 100000,1000000      # SQLite, a fresh file each run
//   .build/release/ema-bench chat --conversations 100 --rounds 5
//   DATABASE_URL=postgres://… .build/release/ema-bench …       # on a throw-away PostgreSQL database
//
// `scripts/bench` runs them all on both databases. Figures go to BENCHMARKS.md.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let binFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let ema = binFolder.appendingPathComponent("ema").path
guard FileManager.default.isExecutableFile(atPath: ema) else { fail("build ema first: swift build -c release (looked for \(ema))") }

switch arguments.first {
case "import": try importBenchmark(arguments, ema: ema)
case "chat": try await chatBenchmark(arguments, ema: ema)
case "webhook": try await webhookBenchmark(arguments, ema: ema)
case "sender": try await senderBenchmark(arguments, ema: ema)
case "dispatch": try await dispatchBenchmark(arguments, ema: ema)
case "reminders": try await remindersBenchmark(arguments, ema: ema)
case "cases": try await casesBenchmark(arguments, ema: ema)
case "privacy": try await privacyBenchmark(arguments, ema: ema)
case "chaos": try await chaosBenchmark(arguments, ema: ema)
case "replies": try await repliesBenchmark(arguments, ema: ema)
case "paper": try await paperBenchmark(arguments, ema: ema)
case "calls": try await callsBenchmark(arguments, ema: ema)
case "csv": try csvBenchmark(arguments, bench: binFolder.appendingPathComponent("ema-bench").path)
case "csv-parse": try csvParse(arguments)
default: fail("usage: ema-bench import [--rows …] | chat [--conversations 100] [--rounds 5] | webhook [--concurrency 16,64,256] [--seconds 8] [--workers on] [--compare URL] [--url URL --secret S] | sender [--mps 80,1000] | dispatch --phase queue|send|crash [--enrollments N] [--mps 1000] [--seconds 60] | reminders --phase queue|send [--enrollments N] [--mps 80] [--seconds 60] | cases [--cases 1000000] [--month-cases 100000] [--concurrency 16,64] [--seconds 8] | privacy [--conversations 100000,1000000] | chaos [--customers 100] [--kills 10] | replies [--rate 200] [--seconds 60] [--mps 1000] [--workers N] [--statuses off] [--graph-ms 0] | paper [--contracts 1000000] | calls [--rows 1000000] [--per-day 4000] | csv [--rows 1000000] [--runs 3]")
}
