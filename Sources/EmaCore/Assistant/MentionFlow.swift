import Foundation

/// What the customer already wrote is not asked again: a contract number, a radicado, an amount
/// or a date named in the message that started a procedure answers the step that asks for it.
extension Turn {
    /// Remembers what a routed message names (replacing what an earlier one named).
    mutating func noteMentioned(_ text: String?) {
        let found = MessageEntities.extract(from: text ?? "", today: CivilDate(bogotaAt: now.timeIntervalSince1970))
        state.mentioned = found.isEmpty ? nil : found
    }

    /// After the turn's step: when it just asked for something the customer already named, the
    /// question is answered with «tomo … que me escribiste» and the step runs with it — a bare
    /// question is dropped; one that also says something (the balance, the office's address)
    /// stays. Each mention answers once.
    mutating func useMentioned(effects: any AssistantEffects) async throws {
        for _ in 0..<3 {
            guard let (input, spoken) = takeMentioned(), !replies.isEmpty else { return }
            if [.askBillContract, .pqrContract, .askContract, .askRadicado, .pqrParent].contains(state.step) { replies.removeLast() }
            say("Tomo \(spoken) que me escribiste.")
            try await perform(input, message: InboundMessage(text: nil), effects: effects)
        }
    }

    /// The mention that answers the current step, taken out of the state.
    mutating func takeMentioned() -> (Input, String)? {
        guard var mentioned = state.mentioned else { return nil }
        defer { state.mentioned = mentioned.isEmpty ? nil : mentioned }
        switch state.step {
        case .askBillContract, .pqrContract, .askContract:
            guard let contract = mentioned.contract else { return nil }
            mentioned.contract = nil
            return (.text(contract), "el contrato \(contract)")
        case .askRadicado, .pqrParent:
            guard let radicado = mentioned.radicado else { return nil }
            mentioned.radicado = nil
            return (.text(radicado), "el radicado \(radicado)")
        case .couponAmount:
            guard let amount = mentioned.amountCOP else { return nil }
            mentioned.amountCOP = nil
            return (.text(String(amount)), "el valor de \(Money.format(cop: amount))")
        case .turnDay:
            guard let date = mentioned.date else { return nil }
            mentioned.date = nil
            let id = "turno_dia:\(date)"
            // A day without places is not taken: the list stays for the customer to choose.
            guard state.offered.contains(where: { $0.id == id }) else { return nil }
            return (.choice(id), "el \(Self.dayTitle(date).lowercased())")
        default:
            return nil
        }
    }
}
