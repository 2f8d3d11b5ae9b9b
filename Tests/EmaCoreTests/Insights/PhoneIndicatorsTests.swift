import EmaCore
import Foundation
import Testing

@Suite("The phone channel's figures")
struct PhoneIndicatorsTests {
    static func call(_ line: String = "4444115", answered: Bool, wait: Int, resolved: Bool = false, month: String = "2026-11", segment: String = "hogares") -> PhoneIndicators.CallFact {
        PhoneIndicators.CallFact(line: line, queue: "Hogar", segment: segment, month: month, answered: answered, waitSeconds: wait, resolved: resolved)
    }

    @Test("Service level, efficacy, speed of answer and abandonment, computed by hand")
    func byHand() {
        // 10 offered: 6 answered (waits 5, 10, 20, 21, 40, 90; 3 within 20 s, the 20 s included;
        // 4 resolved), 4 abandoned (after 2 s and 4 s — short, left out — and after 30 s and 60 s).
        let calls = [5, 10, 20, 21, 40, 90].enumerated().map { Self.call(answered: true, wait: $1, resolved: $0 < 4) }
            + [2, 4, 30, 60].map { Self.call(answered: false, wait: $0) }
        let figures = PhoneIndicators.figures(calls)
        #expect(figures.offered == 10 && figures.counted == 8 && figures.shortAbandons == 2)
        #expect(figures.serviceLevel == 3.0 / 8.0)
        #expect(figures.efficacy == 6.0 / 10.0)
        #expect(figures.abandonment == 2.0 / 8.0)
        #expect(figures.averageSpeedOfAnswer == 186.0 / 6.0)
        #expect(figures.firstContactResolution == 4.0 / 6.0)
    }

    @Test("The threshold is the utility's: 30 s counts the 21 s call as in time")
    func threshold() {
        let calls = [10, 21, 40].map { Self.call(answered: true, wait: $0) }
        #expect(PhoneIndicators.figures(calls).serviceLevel == 1.0 / 3.0)
        #expect(PhoneIndicators.figures(calls, threshold: 30).serviceLevel == 2.0 / 3.0)
    }

    @Test("An empty month, and a month of short abandons only, have no figures rather than zeros or a division by zero")
    func empty() {
        let none = PhoneIndicators.figures([])
        #expect(none.serviceLevel == nil && none.efficacy == nil && none.abandonment == nil && none.averageSpeedOfAnswer == nil)
        let shortOnly = PhoneIndicators.figures([Self.call(answered: false, wait: 1), Self.call(answered: false, wait: 3)])
        #expect(shortOnly.serviceLevel == nil && shortOnly.abandonment == nil)
        #expect(shortOnly.efficacy == 0 && shortOnly.averageSpeedOfAnswer == nil)
    }

    @Test("By line and by month, each group on its own calls")
    func grouped() {
        let calls = [Self.call("4444115", answered: true, wait: 10), Self.call("#376", answered: false, wait: 50),
                     Self.call("4444115", answered: false, wait: 12, month: "2026-12"), Self.call("#376", answered: true, wait: 25)]
        let lines = PhoneIndicators.figures(calls, by: \.line)
        #expect(lines.map(\.key) == ["#376", "4444115"])
        #expect(lines[0].figures.serviceLevel == 0 && lines[0].figures.efficacy == 0.5)
        #expect(lines[1].figures.serviceLevel == 0.5 && lines[1].figures.abandonment == 0.5)
        let months = PhoneIndicators.figures(calls, by: \.month)
        #expect(months.map(\.figures.offered) == [3, 1])
    }
}

extension PhoneIndicatorsTests {
    @Test("The month's indicators from counted groups: totals and each line (by its name), queue and segment, rounded half up; an empty month is «sin datos»")
    func indicators() {
        let groups = [
            // Line A, Hogar: 3 answered in time (waits added 30), 1 late (50 s), resolved 3.
            PhoneIndicators.CallGroup(line: "4444115", queue: "Hogar", segment: "hogares", answered: true, inTime: true, shortAbandon: false, resolved: true, count: 3, waitSeconds: 30),
            PhoneIndicators.CallGroup(line: "4444115", queue: "Hogar", segment: "hogares", answered: true, inTime: false, shortAbandon: false, resolved: false, count: 1, waitSeconds: 50),
            // Line B, Empresas: 2 short abandons, 1 abandon after waiting, 1 answered in time (10 s).
            PhoneIndicators.CallGroup(line: "#376", queue: "Empresas", segment: "empresas", answered: false, inTime: false, shortAbandon: true, resolved: false, count: 2, waitSeconds: 4),
            PhoneIndicators.CallGroup(line: "#376", queue: "Empresas", segment: "empresas", answered: false, inTime: false, shortAbandon: false, resolved: false, count: 1, waitSeconds: 40),
            PhoneIndicators.CallGroup(line: "#376", queue: "Empresas", segment: "empresas", answered: true, inTime: true, shortAbandon: false, resolved: false, count: 1, waitSeconds: 10),
        ]
        let figures = PhoneIndicators.indicators(groups, lineNames: ["#376": "Tigo (#376)"])
        func figure(_ indicator: Indicator, _ dimension: IndicatorDimension = .total) -> Figure? {
            figures.first { $0.indicator == indicator && $0.dimension == dimension }
        }
        // 8 offered, 2 short: counted 6; in time 4 → 66,666… → 66,7; answered 5 of 8 → 62,5;
        // waits 90 / 5 = 18,0 s; abandoned after waiting 1 of 6 → 16,7.
        #expect(figure(.phoneServiceLevel) == Figure(indicator: .phoneServiceLevel, dimension: .total, value: 66.7, cases: 6))
        #expect(figure(.phoneEfficacy) == Figure(indicator: .phoneEfficacy, dimension: .total, value: 62.5, cases: 8))
        #expect(figure(.phoneSpeedOfAnswer) == Figure(indicator: .phoneSpeedOfAnswer, dimension: .total, value: 18, cases: 5))
        #expect(figure(.phoneAbandonment) == Figure(indicator: .phoneAbandonment, dimension: .total, value: 16.7, cases: 6))
        // Line B alone: counted 2, 1 in time → 50; efficacy 1 of 4 → 25.
        #expect(figure(.phoneServiceLevel, .line("#376", name: "Tigo (#376)"))?.value == 50)
        #expect(figure(.phoneEfficacy, .queue("Empresas"))?.value == 25)
        #expect(figure(.phoneSpeedOfAnswer, .segment("hogares"))?.value == 20)
        #expect(figure(.phoneEfficacy, .line("4444115", name: "4444115"))?.value == 100)
        #expect(IndicatorDimension.line("#376", name: "Tigo (#376)").csv == "linea:#376")
        #expect(PhoneIndicators.resolution(groups) == (resolved: 3, answered: 5))

        let empty = PhoneIndicators.indicators([])
        #expect(empty.count == 4 && empty.allSatisfy { $0.dimension == .total && $0.value == nil && $0.cases == 0 })
        #expect(Indicator.phoneSpeedOfAnswer.display(nil) == "sin datos" && Indicator.phoneSpeedOfAnswer.display(18) == "18,0 s")
    }

    @Test("The rule is written with the utility's threshold")
    func ruleInWords() {
        #expect(Indicator.phoneServiceLevel.definition().contains("en 20 segundos o menos"))
        #expect(Indicator.phoneServiceLevel.definition(IndicatorRules(phoneThreshold: 45)).contains("en 45 segundos o menos"))
        #expect(Indicator.phoneAbandonment.definition().contains("antes de 5 segundos"))
    }
}
