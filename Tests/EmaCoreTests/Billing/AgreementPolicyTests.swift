import EmaCore
import Foundation
import Testing

@Suite("Payment agreements: the plan's arithmetic, the usury ceiling, who may finance")
struct AgreementPolicyTests {
    let policy = AgreementPolicy(downPaymentPercent: 20, monthlyInterestPercent: 1.5, usuryCeilingAnnualPercent: 25.02,
                                 maxInstalments: ["hogares": 12, "empresas": 6], minimumBalanceCOP: 100_000, maximumBalanceCOP: 20_000_000)

    @Test("$ 1.000.000, 20 % down, 1,5 % a month, 6 instalments: the table computed by hand")
    func handComputed() {
        // Down payment 200.000; financed 800.000; A = 800.000 × 0,015 / (1 − 1,015⁻⁶) = 140.420,3 → 140.420.
        // Each month: interest = 1,5 % of what is owed (rounded to the peso); principal = A − interest;
        // the last instalment pays what is left.
        let plan = policy.plan(balance: 1_000_000, instalments: 6)
        #expect(plan.downPayment == 200_000 && plan.financed == 800_000 && plan.instalment == 140_420)
        let rows = plan.rows.map { [Int64($0.number), $0.payment, $0.interest, $0.principal, $0.remaining] }
        #expect(rows == [
            [1, 140_420, 12_000, 128_420, 671_580],
            [2, 140_420, 10_074, 130_346, 541_234],
            [3, 140_420, 8_119, 132_301, 408_933],
            [4, 140_420, 6_134, 134_286, 274_647],
            [5, 140_420, 4_120, 136_300, 138_347],
            [6, 140_422, 2_075, 138_347, 0],
        ])
        #expect(plan.totalInterest == 42_522 && plan.totalPaid == 200_000 + 6 * 140_420 + 2)
        #expect(plan.rows.reduce(0) { $0 + $1.principal } == plan.financed)
    }

    @Test("The down payment rounds up to the peso; no interest divides evenly; one instalment is the whole")
    func edges() {
        let odd = policy.plan(balance: 728_801, instalments: 3)
        #expect(odd.downPayment == 145_761 && odd.financed == 583_040)
        let free = AgreementPlan(balance: 100_001, downPayment: 1, instalments: 3, monthlyRatePercent: 0)
        #expect(free.rows.map(\.payment) == [33_334, 33_334, 33_332] && free.totalInterest == 0)
        #expect(AgreementPlan(balance: 50_000, downPayment: 0, instalments: 1, monthlyRatePercent: 1.5).rows.map(\.payment) == [50_750])
    }

    @Test("A rate above the usury ceiling (effective annual, made monthly) stops the start; so do bad segments and limits")
    func usury() {
        // (1 + 0,2502)^(1/12) − 1 = 1,879 % a month.
        #expect(abs(policy.usuryCeilingMonthlyPercent - 1.8786) < 0.001)
        #expect(policy.problem == nil)
        func with(rate: Double = 1.5, down: Int = 20, segments: [String: Int] = ["hogares": 12]) -> String? {
            AgreementPolicy(downPaymentPercent: down, monthlyInterestPercent: rate, usuryCeilingAnnualPercent: 25.02, maxInstalments: segments,
                            minimumBalanceCOP: 100_000, maximumBalanceCOP: 20_000_000).problem
        }
        #expect(with(rate: 1.88)?.contains("supera la tasa de usura (1,88 % mensual)") == true)
        #expect(with(rate: 1.87) == nil)
        #expect(with(down: 95) != nil && with(segments: [:]) != nil && with(segments: ["hogares": 1]) != nil && with(segments: ["casas": 6]) != nil)
    }

    @Test("Who may finance: active, a segment with instalments, something overdue, no agreement in force, within the limits")
    func eligibility() {
        #expect(policy.eligibility(balance: 500_000, overdue: 200_000, segment: .hogares, active: true, inForce: nil) == nil)
        #expect(policy.eligibility(balance: 500_000, overdue: 200_000, segment: .hogares, active: false, inForce: nil) == .contractInactive)
        #expect(policy.eligibility(balance: 500_000, overdue: 200_000, segment: .gobierno, active: true, inForce: nil) == .segment)
        #expect(policy.eligibility(balance: 500_000, overdue: 0, segment: .hogares, active: true, inForce: nil) == .nothingOverdue)
        #expect(policy.eligibility(balance: 500_000, overdue: 1, segment: .hogares, active: true, inForce: "AP-2026-0000001") == .inForce("AP-2026-0000001"))
        #expect(policy.eligibility(balance: 99_999, overdue: 99_999, segment: .hogares, active: true, inForce: nil) == .belowMinimum(100_000))
        #expect(policy.eligibility(balance: 20_000_001, overdue: 1, segment: .empresas, active: true, inForce: nil) == .aboveMaximum(20_000_000))
        #expect(AgreementPolicy.Ineligible.belowMinimum(100_000).message.contains("$ 100.000"))
        #expect(policy.choices(for: .hogares) == [3, 6, 12] && policy.choices(for: .empresas) == [3, 6] && policy.choices(for: .gobierno).isEmpty)
    }

    @Test("The holder's name: two or more of its words, accents and case aside; a stranger's or a single word is not")
    func names() {
        let holder = "María Fernanda Restrepo Gómez"
        #expect(PersonName.matches("maria restrepo", holder: holder) && PersonName.matches("MARÍA FERNANDA RESTREPO GÓMEZ", holder: holder))
        #expect(!PersonName.matches("María", holder: holder) && !PersonName.matches("María Pérez", holder: holder))
        #expect(!PersonName.matches("maria maria", holder: holder) && !PersonName.matches("Ma*** Re***", holder: holder))
    }
}
