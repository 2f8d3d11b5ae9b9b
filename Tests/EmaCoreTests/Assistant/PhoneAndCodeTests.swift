import EmaCore
import Foundation
import Testing

@Suite("Colombian mobiles and one-time codes")
struct PhoneAndCodeTests {
    @Test("Accepts the ways people write a Colombian mobile", arguments: [
        "3001234567", "300 123 4567", "+57 300 123 4567", "573001234567", "+573001234567", "(300) 123-4567", "300.123.4567",
    ])
    func validMobiles(text: String) {
        #expect(ColombianMobile.e164(text) == "+573001234567")
    }

    @Test("Refuses landlines, short numbers, letters and foreign numbers", arguments: [
        "6044444115", "300123456", "30012345678", "300 123 45a7", "+1 300 123 4567", "+58 300 123 4567", "", "573", "+57 604 444 4115",
    ])
    func invalidMobiles(text: String) {
        #expect(ColombianMobile.e164(text) == nil)
    }

    @Test("Shows a mobile the Colombian way")
    func display() {
        #expect(ColombianMobile.display("+573001234567") == "300 123 4567")
    }

    @Test("Codes are six digits, zero-padded, and vary")
    func generation() {
        var generator = SeededGenerator(seed: 7)
        let policy = OneTimeCodePolicy()
        let codes = (0..<500).map { _ in policy.generate(using: &generator) }
        #expect(codes.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isNumber) })
        #expect(Set(codes).count > 490)
    }

    @Test("A code is accepted once, within ten minutes")
    func acceptance() {
        let policy = OneTimeCodePolicy()
        let issued = Date(timeIntervalSince1970: 1_000_000)
        let (result, state) = policy.check(OneTimeCodeState(issuedAt: issued), matches: true, now: issued.addingTimeInterval(599))
        #expect(result == .accepted)
        // Used once, it is «used» (not «expired») while it still has minutes left.
        #expect(policy.check(state, matches: true, now: issued.addingTimeInterval(300)).0 == .used)
        #expect(policy.check(OneTimeCodeState(issuedAt: issued), matches: true, now: issued.addingTimeInterval(600)).0 == .expired)
    }

    @Test("Five wrong tries kill the code, even for the right code afterwards")
    func wrongTries() {
        let policy = OneTimeCodePolicy()
        let issued = Date(timeIntervalSince1970: 1_000_000)
        var state = OneTimeCodeState(issuedAt: issued)
        var results: [OneTimeCodePolicy.CheckResult] = []
        for _ in 0..<5 {
            let (result, next) = policy.check(state, matches: false, now: issued.addingTimeInterval(10))
            results.append(result)
            state = next
        }
        #expect(results == [.wrong(remaining: 4), .wrong(remaining: 3), .wrong(remaining: 2), .wrong(remaining: 1), .exhausted])
        #expect(policy.check(state, matches: true, now: issued.addingTimeInterval(11)).0 == .exhausted)
    }

    @Test("A new code waits 60 seconds, and a number gets at most five an hour")
    func issuing() {
        let policy = OneTimeCodePolicy()
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(policy.mayIssue(previous: [], now: start) == .allowed)
        #expect(policy.mayIssue(previous: [start], now: start.addingTimeInterval(45)) == .wait(seconds: 15))
        #expect(policy.mayIssue(previous: [start], now: start.addingTimeInterval(60)) == .allowed)
        let five = (0..<5).map { start.addingTimeInterval(Double($0) * 120) }
        #expect(policy.mayIssue(previous: five, now: start.addingTimeInterval(700)) == .hourlyLimit(retryAfterSeconds: 2_900))
        #expect(policy.mayIssue(previous: five, now: start.addingTimeInterval(3_600)) == .allowed)
    }
}
