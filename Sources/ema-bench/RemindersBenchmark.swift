// Payment reminders at scale, on PostgreSQL (DATABASE_URL), inside 7:00–20:00 Bogotá:
//   queue — N contracts whose bill is due in three days (utility.json's reminders.daysBefore),
//           each with an active enrollment; `ema reminders run` timed (plans today's and
//           tomorrow's, puts today's in the bulk lane), with its peak resident memory;
//   send  — `ema serve` against the fake Graph API at WHATSAPP_MAX_MPS: achieved rate and the
//           busiest one-second window (the monthly bill's ceiling, which reminders share).
import Foundation

func remindersBenchmark(_ arguments: [String], ema: String) async throws {
    let databaseURL = postgresURL(for: "reminders")
    let phase = arguments.option("--phase") ?? "queue"
    let count = Int(arguments.option("--enrollments") ?? "") ?? 1_000_000
    let mps = Int(arguments.option("--mps") ?? "") ?? 80
    let seconds = Double(arguments.option("--seconds") ?? "") ?? 60
    print("ema-bench reminders \(phase) · PostgreSQL · \(ProcessInfo.processInfo.activeProcessorCount) cores")
    // Bogotá is UTC−5 all year.
    let bogota = Date().addingTimeInterval(-5 * 3_600)
    let hour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: bogota).hour ?? 0
    guard (7..<20).contains(hour) else { fail("reminders leave only 7:00–20:00 in Bogotá (now \(hour):xx): run this benchmark then") }
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    let due = formatter.string(from: bogota.addingTimeInterval(3 * 86_400))

    try runEma(ema, ["migrate", "--yes"], databaseURL: databaseURL)
    try seedEnrollments(count, databaseURL: databaseURL, dueDate: due)
    switch phase {
    case "queue":
        let (elapsed, peak, output) = try timedEma(ema, ["reminders", "run"], databaseURL: databaseURL)
        print(output.trimmingCharacters(in: .whitespacesAndNewlines))
        let queued = try psqlValue(databaseURL, "SELECT count(*) FROM whatsapp_outbox WHERE lane = 'bulk' AND state = 'queued'")
        print("enrollments \(count)  reminders in the lane \(queued)  in \(String(format: "%.1f", elapsed)) s  (\(Int(Double(count) / elapsed)) per second)  peak RSS \(peak / 1024) MB")
    case "send":
        try runEma(ema, ["reminders", "run"], databaseURL: databaseURL)
        print(try await sendAtCeiling(ema, mps: mps, seconds: seconds, databaseURL: databaseURL))
        print("reminders recorded sent \(try psqlValue(databaseURL, "SELECT count(*) FROM payment_reminders WHERE status = 'sent'"))")
    default:
        fail("--phase queue|send")
    }
}
