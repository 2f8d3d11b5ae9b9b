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
            let groups = try await calls.groups(month: "2026-11", threshold: 20)
            #expect(groups.map(\.count).reduce(0, +) == 2)
            let november = PhoneIndicators.indicators(groups)
            func value(_ indicator: Indicator) -> Double? { november.first { $0.indicator == indicator && $0.dimension == .total }?.value }
            #expect(value(.phoneServiceLevel) == 100 && value(.phoneEfficacy) == 50 && value(.phoneAbandonment) == 0 && value(.phoneSpeedOfAnswer) == 18)
            #expect(PhoneIndicators.resolution(groups) == (resolved: 1, answered: 1))
        }
    }

    @Test("A month of calls: the database's groups give the figures of the arithmetic on each call, at the utility's threshold; the page writes the rule with it, the CSV carries line, queue and segment")
    func monthOfCalls() async throws {
        let manual = AppClock.Manual(Date(timeIntervalSince1970: CivilDate("2026-12-02")!.startInBogota.timeIntervalSince1970 + 10 * 3_600))
        try await withEmaApp(clock: manual.clock) { app in
            app.utilityProfile?.phone = .init(serviceLevelSeconds: 30)
            var rows: [CallRow] = []
            var day = CivilDate("2026-11-01")!
            while day.description < "2026-12-03" {
                let count = SampleCalls.count(on: day, perBusinessDay: 40)
                rows += (0..<count).map { SampleCalls.call(day: day, index: $0, count: count) }
                day = day.adding(days: 1)
            }
            let file = try temporaryFile(SampleCalls.csvHeader + rows.map(SampleCalls.csvLine).joined(), name: "calls.csv")
            let result = try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.calls, path: file)
            #expect(result == .imported(UpsertCounts(new: rows.count, updated: 0), ignoredColumns: []))

            let november = rows.filter { CivilDate(bogotaAt: $0.offeredAt.timeIntervalSince1970).description.hasPrefix("2026-11") }
            let expected = PhoneIndicators.indicators(november.map {
                PhoneIndicators.CallFact(line: $0.line, queue: $0.queue, segment: $0.segment.rawValue, month: "2026-11",
                                         answered: $0.answeredAt != nil, waitSeconds: $0.waitSeconds, resolved: $0.resolved).group(threshold: 30)
            })
            let groups = try await PhoneCalls(database: app.db).groups(month: "2026-11", threshold: 30)
            #expect(groups.count < november.count / 10, "the database hands over groups, not calls")
            #expect(PhoneIndicators.indicators(groups) == expected)
            // The month has short abandons, and the threshold matters.
            let figures = PhoneIndicators.figures(november.map {
                PhoneIndicators.CallFact(line: $0.line, queue: $0.queue, segment: $0.segment.rawValue, month: "2026-11", answered: $0.answeredAt != nil, waitSeconds: $0.waitSeconds, resolved: $0.resolved)
            }, threshold: 30)
            #expect(figures.shortAbandons > 0 && figures.abandoned > figures.shortAbandons)
            #expect(try await PhoneCalls(database: app.db).groups(month: "2026-11", threshold: 20) != groups)

            let level = try #require(expected.first { $0.indicator == .phoneServiceLevel && $0.dimension == .total }?.value)
            try await app.testing().test(.GET, "indicadores?mes=2026-11") { response in
                let page = response.body.string
                #expect(page.contains("id=\"titulo-telefono\">Líneas telefónicas</h2>"))
                #expect(page.contains("contestó en 30 segundos o menos de espera") && page.contains("antes de 5 segundos"))
                #expect(page.contains(Indicator.phoneServiceLevel.display(level)))
                // The lines by the names customers know them by.
                #expect(page.contains("Gratis desde celulares Tigo (#376)") && page.contains("Línea gratuita nacional (01 8000 415 115)"))
            }
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-11") { response in
                let lines = response.body.string.components(separatedBy: "\r\n")
                #expect(lines.contains { $0.hasPrefix("2026-11,nivel_servicio_telefono,total,\(String(format: "%.1f", level)),porcentaje,") })
                for dimension in ["linea:#376", "linea:018000415115", "fila:Hogares", "segmento:grandes_clientes"] {
                    #expect(lines.contains { $0.hasPrefix("2026-11,eficacia_telefono,\(dimension),") }, "falta \(dimension)")
                }
                #expect(lines.contains { $0.hasPrefix("2026-11,velocidad_respuesta_telefono,total,") && $0.contains(",segundos,") })
            }
            // A month without calls: «sin datos», not a zero.
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-09") { response in
                #expect(response.body.string.contains("2026-09,nivel_servicio_telefono,total,,porcentaje,0\r\n"))
            }
        }
    }

    @Test("utility.json sets the threshold (1–600 s); out of range stops the start with the reason; a line's code finds its published name")
    func thresholdSetting() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: "Resources/utility.json"))
        func profile(seconds: Int?) throws -> UtilityProfile {
            var json = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            json["phone"] = seconds.map { ["serviceLevelSeconds": $0] }
            return try UtilityProfile.load(from: try temporaryFile(try JSONSerialization.data(withJSONObject: json), name: "utility.json"))
        }
        #expect(try profile(seconds: nil).indicatorRules.phoneThreshold == 20)
        #expect(try profile(seconds: 30).indicatorRules.phoneThreshold == 30)
        for wrong in [0, 601] {
            #expect { try profile(seconds: wrong) } throws: { "\($0)".contains("phone.serviceLevelSeconds debe estar entre 1 y 600 segundos") }
        }
        let utility = try profile(seconds: nil)
        #expect(utility.phoneLineName("4444115") == "Línea gratuita en el Valle de Aburrá (604 4444 115)")
        #expect(utility.phoneLineName("018000410115") == "Atención a Grandes Clientes (01 8000 410 115)")
        #expect(utility.phoneLineName("999") == nil && utility.phoneLineName("#") == nil)
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
