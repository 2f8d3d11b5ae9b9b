// The printing house's list at scale, on PostgreSQL (DATABASE_URL): N contracts, each on paper
// (`bill_channels` impresa) and enrolled on WhatsApp (the terms keep the paper, so every one is
// listed), a tenth of them with a failed delivery too; `ema invoices paper-list --out` timed,
// with its peak resident memory (the list is read 5,000 contracts at a time and streamed).
import Foundation

func paperBenchmark(_ arguments: [String], ema: String) async throws {
    let databaseURL = postgresURL(for: "paper")
    let count = Int(arguments.option("--contracts") ?? "") ?? 1_000_000
    print("ema-bench paper · PostgreSQL · \(ProcessInfo.processInfo.activeProcessorCount) cores")
    try runEma(ema, ["migrate", "--yes"], databaseURL: databaseURL)
    try seedEnrollments(count, databaseURL: databaseURL)
    try psql(databaseURL, """
        INSERT INTO paper_bills (id, contract_id, period, reason, created_at)
          SELECT gen_random_uuid(), id, '2026-12', 'sin entrega por WhatsApp en 2026-11', now()
          FROM contracts WHERE contract_number::bigint % 10 = 0;
        ANALYZE;
        """)
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("ema-bench-paper-\(UUID().uuidString).csv").path
    let (elapsed, peak, output) = try timedEma(ema, ["invoices", "paper-list", "--period", "2026-12", "--out", out], databaseURL: databaseURL)
    print(output.trimmingCharacters(in: .whitespacesAndNewlines))
    let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    try? FileManager.default.removeItem(atPath: out)
    print("contracts \(count)  listed in \(String(format: "%.1f", elapsed)) s  (\(Int(Double(count) / elapsed)) per second)  file \(size / 1_048_576) MB  peak RSS \(peak / 1024) MB")
}
