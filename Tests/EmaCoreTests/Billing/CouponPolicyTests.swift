import EmaCore
import Testing

@Suite("Coupon rules: amounts as people write them, the minimum and the balance")
struct CouponPolicyTests {
    let policy = CouponPolicy(minimumCOP: 10_000, validDays: 10, collectorGLN: "7707181000005")

    @Test("Amounts typed with a sign, thousands marks or «mil» are read; decimals and words are not")
    func amounts() {
        let read: [(String, Int64?)] = [
            ("50000", 50_000), ("$ 50.000", 50_000), ("$50.000 pesos", 50_000), ("50,000", 50_000), ("50 mil", 50_000),
            ("1.250.000", 1_250_000), ("  20000  ", 20_000), ("50 000", 50_000),
            ("12,5", nil), ("50.00", nil), ("cincuenta", nil), ("", nil), ("$", nil), ("-5000", nil), ("5e4", nil),
            ("1.000.000.001", nil), ("1234.567", nil),
        ]
        for (text, expected) in read { #expect(CouponPolicy.amount(text) == expected, "\(text)") }
    }

    @Test("At least the minimum (or the whole balance when it is less), at most the balance, and something owed")
    func rules() {
        #expect(policy.check(amount: 10_000, balance: 242_900) == nil)
        #expect(policy.check(amount: 242_900, balance: 242_900) == nil)
        #expect(policy.check(amount: 9_999, balance: 242_900) == .belowMinimum(10_000))
        #expect(policy.check(amount: 242_901, balance: 242_900) == .aboveBalance(242_900))
        #expect(policy.check(amount: 6_000, balance: 6_000) == nil)
        #expect(policy.check(amount: 5_000, balance: 6_000) == .belowMinimum(6_000))
        #expect(policy.check(amount: 1, balance: 0) == .nothingOwed)
        #expect(CouponPolicy.Problem.belowMinimum(10_000).message.contains("$ 10.000"))
        #expect(policy.validUntil(today: CivilDate("2026-12-28")!) == CivilDate("2027-01-06"))
    }

    @Test("A policy with no minimum, a validity out of range or a bad GLN is refused at start-up")
    func problems() {
        #expect(policy.problem == nil)
        #expect(CouponPolicy(minimumCOP: 0, validDays: 10, collectorGLN: "7707181000005").problem != nil)
        #expect(CouponPolicy(minimumCOP: 1, validDays: 0, collectorGLN: "7707181000005").problem != nil)
        #expect(CouponPolicy(minimumCOP: 1, validDays: 10, collectorGLN: "7707181000004").problem?.contains("GLN") == true)
    }
}
