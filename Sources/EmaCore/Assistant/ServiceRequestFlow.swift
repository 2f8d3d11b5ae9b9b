import Foundation

/// Billing requests with Ema: separate bills for a contract's services («separación de
/// cuentas») and a voluntary contribution in the next bill («aporte voluntario»). Both are
/// peticiones, so they run through the PQR's steps (contract, name, number, confirmation) with
/// one step of their own: which services, or how much.
extension Turn {
    /// The request a customer's words ask for, if any: «quiero separar las cuentas»,
    /// «hacer un aporte voluntario».
    static func serviceRequest(in words: String) -> ServiceRequest.Kind? {
        let tokens = words.split(whereSeparator: { !$0.isLetter })
        func any(_ prefixes: [String]) -> Bool { tokens.contains { token in prefixes.contains { token.hasPrefix($0) } } }
        if any(["separ"]), any(["cuenta", "factura", "servicio"]) { return .separacionCuentas }
        if any(["aport", "donac", "donar"]), any(["voluntari", "solidari", "subsidi"]) { return .aporteVoluntario }
        return nil
    }

    mutating func beginServiceRequest(_ kind: ServiceRequest.Kind) {
        state.pqr = ConversationState.PQRDraft(type: .peticion)
        state.pqr?.requestKind = kind
        switch kind {
        case .separacionCuentas:
            say("Con gusto. Con la separación de cuentas recibes en facturas aparte los servicios de un mismo contrato (por ejemplo, el gas en una factura y la energía y el agua en otra). La radico como una petición y te damos un número de radicado para consultarla.")
        case .aporteVoluntario:
            guard let policy = knowledge.contributions else {
                state.pqr = nil
                return showMainMenu(ServiceRequest.Problem.contributionsUnavailable.message + " ¿Te ayudo con algo más?")
            }
            say("¡Gracias por querer aportar! 💚 El aporte voluntario es un valor que sumamos a tu próxima factura: \(policy.purpose). La radico como una petición y te avisamos cuando quede en tu factura.")
        }
        askPQRContract()
    }

    /// After the contract: which services go apart, or how much to contribute.
    mutating func askRequestDetail(services: [UtilityService]) {
        guard let kind = state.pqr?.requestKind else { return beginPQR() }
        state.pqr?.contractServices = services
        state.step = .requestDetail
        switch kind {
        case .separacionCuentas:
            guard services.count >= 2 else {
                state.pqr = nil
                return showMainMenu(ServiceRequest.Problem.singleService.message + " ¿Te ayudo con algo más?")
            }
            // Two services can only go one in each bill: nothing to ask.
            if services.count == 2 { return setRequest(try? ServiceRequest.separation(services, contractServices: services)) }
            ask("Este contrato tiene \(ServiceRequest.list(services.map { $0.displayName.lowercased() })). ¿Qué quieres recibir en una factura aparte?", separationChoices(services))
        case .aporteVoluntario:
            let range = knowledge.contributions?.range ?? 0...0
            say("¿De cuánto quieres que sea tu aporte? Escribe el valor en pesos, entre \(Money.format(cop: range.lowerBound)) y \(Money.format(cop: range.upperBound)).")
        }
    }

    func separationChoices(_ services: [UtilityService]) -> [Choice] {
        services.map { Choice("separar:" + $0.rawValue, "\($0.displayName) aparte") } + [Choice("separar:todos", "Cada uno aparte")]
    }

    mutating func requestDetailStep(_ input: Input) {
        guard let draft = state.pqr, let kind = draft.requestKind else { return beginPQR() }
        let services = draft.contractServices ?? []
        do throws(ServiceRequest.Problem) {
            switch kind {
            case .separacionCuentas:
                let chosen = Self.chosenServices(input, among: services)
                setRequest(try ServiceRequest.separation(chosen, contractServices: services))
            case .aporteVoluntario:
                guard case .text(let text) = input else { throw .amountUnreadable }
                setRequest(try ServiceRequest.contribution(CouponPolicy.amount(text), policy: knowledge.contributions))
            }
        } catch {
            if kind == .separacionCuentas { return ask(error.message, separationChoices(services)) }
            say(error.message)
        }
    }

    /// The services a choice or the customer's words name («el gas», «la luz y el agua», «todos»).
    static func chosenServices(_ input: Input, among services: [UtilityService]) -> [UtilityService] {
        switch input {
        case .choice("separar:todos"): return services
        case .choice(let id): return UtilityService(rawValue: String(id.dropFirst("separar:".count))).map { [$0] } ?? []
        case .text(let text):
            let words = TextNormalizer.normalize(text).split(whereSeparator: { !$0.isLetter })
            if words.contains(where: { $0 == "todos" || $0 == "cada" }) { return services }
            let names: [(String, UtilityService)] = [("energia", .energia), ("luz", .energia), ("agua", .agua), ("alcantarillado", .alcantarillado), ("gas", .gas)]
            return services.filter { service in names.contains { name in name.1 == service && words.contains { $0 == name.0 } } }
        }
    }

    mutating func setRequest(_ request: ServiceRequest?) {
        guard let request, let contract = state.pqr?.contractNumber else { return beginPQR() }
        let statement = request.statement(contract: contract, note: nil, purpose: knowledge.contributions?.purpose)
        state.pqr?.request = request
        state.pqr?.description = statement
        askPQRName()
    }
}
