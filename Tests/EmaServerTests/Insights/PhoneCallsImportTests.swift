@testable import EmaServer
import EmaCore
import Foundation
import Testing

@Suite("The contact centre's calls: ema import calls")
struct PhoneCallsImportTests {
    static let header = "call_id,line,queue,offered_at,answered_at,abandoned_at,talk_seconds,resolved,segment"

    @Test("Bad lines are each named and nothing is imported; the same file again changes nothing; a corrected call replaces its row")
    func importCalls() async throws {
        try await withEmaApp { app in
            let importer = CSVFileImporter(database: app.db, clock: app.clock)
            let bad = try temporaryFile("""
                \(Self.header)
                C-1,4444115,Hogar,2026-11-03 08:15:02,2026-11-03 08:15:20,,240,si,hogares
                C-2,44,Hogar,2026-11-03 08:16:00,,2026-11-03 08:16:03,0,no,hogares
                C-3,018000415115,Empresas,2026-11-03 08:17:00,2026-11-03 08:17:30,2026-11-03 08:17:40,60,si,empresas
                C-4,#376,Hogar,2026-11-03 08:18:00,2026-11-03 08:10:00,,60,no,hogares
                C-5,4444115,Hogar,2026-11-03 08:19:00,,2026-11-03 08:19:30,45,no,hogares
                C-6,4444115,Hogar,3/11/2026 8:20,2026-11-03 08:20:30,,45,talvez,vecinos
                C-1,4444115,Hogar,2026-11-03 08:21:00,2026-11-03 08:21:10,,45,no,hogares
                """, name: "calls.csv")
            guard case .rejected(let problems) = try await importer.importFile(.calls, path: bad) else {
                Issue.record("a bad file was imported")
                return
            }
            #expect(Set(problems.map(\.line)) == [3, 4, 5, 6, 7, 8])
            #expect(problems.contains { $0.line == 3 && $0.column == "line" })
            #expect(problems.contains { $0.line == 4 && $0.message.contains("una de las dos") })
            #expect(problems.contains { $0.line == 5 && $0.message.contains("posterior a offered_at") })
            #expect(problems.contains { $0.line == 6 && $0.message.contains("abandonada") })
            #expect(problems.contains { $0.line == 7 && $0.column == "offered_at" } && problems.contains { $0.line == 7 && $0.column == "resolved" })
            #expect(problems.contains { $0.line == 8 && $0.message.contains("repetido") })
            #expect(try await PhoneCalls(database: app.db).count() == 0)

            let good = try temporaryFile("""
                \(Self.header)
                C-1,4444115,Hogar,2026-11-03 08:15:02,2026-11-03 08:15:20,,240,si,hogares
                C-2,#376,Hogar,2026-11-03T13:16:00Z,,2026-11-03T13:16:03Z,0,no,hogares
                C-3,018000415115,Empresas,2026-12-01T07:59:00-05:00,2026-12-01T08:00:10-05:00,,60,no,empresas
                """, name: "calls.csv")
            #expect(try await importer.importFile(.calls, path: good) == .imported(UpsertCounts(new: 3, updated: 0), ignoredColumns: []))
            #expect(try await importer.importFile(.calls, path: good) == .imported(UpsertCounts(new: 0, updated: 3), ignoredColumns: []))
            let calls = PhoneCalls(database: app.db)
            #expect(try await calls.count() == 3)
            // Bogotá's months: 13:16 UTC on 3 November is 08:16 in Bogotá.
            #expect(try await calls.count(month: "2026-11") == 2)
            #expect(try await calls.count(month: "2026-12") == 1)
            // November: one answered in 18 s and resolved, one abandoned after 3 s (short, left out).
            let november = PhoneIndicators.figures(try await calls.facts(month: "2026-11"))
            #expect(november.offered == 2 && november.shortAbandons == 1 && november.serviceLevel == 1 && november.efficacy == 0.5)
            #expect(november.averageSpeedOfAnswer == 18 && november.firstContactResolution == 1)
        }
    }

    @Test("Times: Bogotá's clock without a zone, or ISO 8601 with Z or an offset; nonsense refused")
    func times() {
        let bogota = CallCSV.parseTime("2026-11-03 08:15:02")
        #expect(bogota == CallCSV.parseTime("2026-11-03T13:15:02Z"))
        #expect(bogota == CallCSV.parseTime("2026-11-03T08:15:02-05:00"))
        #expect(bogota?.timeIntervalSince1970 == 1_793_711_702)
        for text in ["2026-11-03 25:00:00", "2026-02-30 08:00:00", "2026-11-03", "2026-11-03 08:15:02+5", "03/11/2026 08:15:02"] {
            #expect(CallCSV.parseTime(text) == nil, "\(text)")
        }
    }
}
