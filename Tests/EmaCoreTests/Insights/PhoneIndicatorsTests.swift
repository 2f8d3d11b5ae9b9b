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
