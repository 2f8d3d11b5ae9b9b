import EmaCore
import Testing

@Suite("SOMOS restructuring rules")
struct SomosRestructuringPolicyTests {
    let policy = SomosRestructuringPolicy(monthlyInterestPercent: 1.8, usuryCeilingAnnualPercent: 25.02, instalments: [6, 12], minimumBalanceCOP: 200_000)

    @Test("The abono lowers what is financed; the instalments repay it with the monthly interest")
    func plan() throws {
        let plan = try policy.plan(balance: 1_000_000, abono: 400_000, instalments: 6)
        #expect(plan.downPayment == 400_000 && plan.financed == 600_000 && plan.instalments == 6)
        #expect(plan.rows.last?.remaining == 0)
        #expect(plan.rows.reduce(0) { $0 + $1.principal } == 600_000)
        // First month's interest: 1,8 % of 600.000.
        #expect(plan.rows.first?.interest == 10_800)
        let text = SomosRestructuringPolicy.text(plan, last4: "4417", utility: "EPM")
        #expect(text.contains("terminada en 4417") && text.contains("un abono a diferidos de $ 400.000") && text.contains("6 cuotas mensuales de \(Money.format(cop: plan.instalment))"))
        #expect(text.contains("se activa cuando se registre el pago del abono"))
        #expect(!SomosRestructuringPolicy.text(try policy.plan(balance: 1_000_000, abono: 0, instalments: 12), last4: "4417", utility: "EPM").contains("abono"))
    }

    @Test("Below the minimum, an abono of the whole debt, an instalment count not offered, a rate above usury")
    func problems() {
        #expect(throws: SomosRestructuringPolicy.Problem.belowMinimum(200_000)) { try policy.plan(balance: 150_000, abono: 0, instalments: 6) }
        #expect(throws: SomosRestructuringPolicy.Problem.abonoTooLarge(500_000)) { try policy.plan(balance: 500_000, abono: 500_000, instalments: 6) }
        #expect(throws: SomosRestructuringPolicy.Problem.unknownInstalments([6, 12])) { try policy.plan(balance: 500_000, abono: 0, instalments: 24) }
        #expect(policy.problem == nil)
        #expect(SomosRestructuringPolicy(monthlyInterestPercent: 2.5, usuryCeilingAnnualPercent: 25.02, instalments: [6], minimumBalanceCOP: 1).problem?.contains("usura") == true)
        #expect(SomosRestructuringPolicy(monthlyInterestPercent: 1, usuryCeilingAnnualPercent: 25.02, instalments: [1], minimumBalanceCOP: 1).problem != nil)
    }
}
