import EmaCore
import Testing

@Suite("Billing requests: separación de cuentas and aportes voluntarios")
struct ServiceRequestTests {
    let threeServices: [UtilityService] = [.energia, .agua, .gas]
    let policy = ContributionPolicy(minimumCOP: 1_000, maximumCOP: 1_000_000, purpose: "subsidios")

    @Test("A separation keeps the chosen services apart; all of them, or all but one, gives each its own bill")
    func separation() throws {
        let gasApart = try ServiceRequest.separation([.gas], contractServices: threeServices)
        #expect(gasApart.services == [.gas] && !gasApart.separatesAll(of: threeServices))
        #expect(gasApart.summary == "Factura aparte para: Gas")
        let allButOne = try ServiceRequest.separation([.gas, .agua], contractServices: threeServices)
        #expect(allButOne.services == threeServices && allButOne.separatesAll(of: threeServices))
        #expect(allButOne.summary == "Factura aparte para: Energía, Agua y Gas")
        #expect(throws: ServiceRequest.Problem.singleService) { try ServiceRequest.separation([.energia], contractServices: [.energia]) }
        #expect(throws: ServiceRequest.Problem.servicesRequired) { try ServiceRequest.separation([], contractServices: threeServices) }
        #expect(throws: ServiceRequest.Problem.unknownService) { try ServiceRequest.separation([.alcantarillado], contractServices: threeServices) }
    }

    @Test("A contribution is within the utility's range, and none without its policy")
    func contribution() throws {
        let request = try ServiceRequest.contribution(20_000, policy: policy)
        #expect(request.amountCOP == 20_000 && request.summary == "Aporte de $ 20.000 en la próxima factura")
        #expect(throws: ServiceRequest.Problem.amountOutOfRange(1_000...1_000_000)) { try ServiceRequest.contribution(999, policy: policy) }
        #expect(throws: ServiceRequest.Problem.amountOutOfRange(1_000...1_000_000)) { try ServiceRequest.contribution(1_000_001, policy: policy) }
        #expect(throws: ServiceRequest.Problem.amountUnreadable) { try ServiceRequest.contribution(nil, policy: policy) }
        #expect(throws: ServiceRequest.Problem.contributionsUnavailable) { try ServiceRequest.contribution(20_000, policy: nil) }
        #expect(ServiceRequest.Problem.amountOutOfRange(1_000...1_000_000).message == "El aporte debe estar entre $ 1.000 y $ 1.000.000.")
        #expect(ContributionPolicy(minimumCOP: 5_000, maximumCOP: 1_000, purpose: "x").problem != nil)
        #expect(ContributionPolicy(minimumCOP: 1_000, maximumCOP: 5_000, purpose: " ").problem != nil)
        #expect(policy.problem == nil)
    }

    @Test("The case's text says what is asked of which contract, then the customer's words")
    func statement() throws {
        let separation = try ServiceRequest.separation([.gas], contractServices: threeServices)
        #expect(separation.statement(contract: "10234567", note: "  Somos dos familias.  ", purpose: nil)
            == "Solicito la separación de cuentas del contrato 10234567: recibir el servicio de gas en una factura aparte.\nSomos dos familias.")
        let contribution = try ServiceRequest.contribution(15_000, policy: policy)
        #expect(contribution.statement(contract: "10234567", note: nil, purpose: "subsidios")
            == "Solicito sumar a la próxima factura del contrato 10234567 un aporte voluntario de $ 15.000 (subsidios).")
    }
}
