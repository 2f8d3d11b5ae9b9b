import Foundation

/// The bill: what is owed, a copy, paying online.
extension Turn {
    // MARK: The bill: amount, copy, payment

    static let billChoices: [Choice] = [
        Choice("factura_valor", "Valor a pagar"),
        Choice("factura_duplicado", "Duplicado de la factura"),
        Choice("factura_pagar", "Pagar en línea"),
        Choice("factura_cupon", "Cupón o abono"),
    ]

    /// Contract numbers that do not exist, per conversation, before Ema stops looking.
    static let maxBillMisses = 5

    mutating func showBillMenu(_ text: String) {
        state.step = .billActions
        var choices = Self.billChoices.filter { knowledge.coupons != nil || $0.id != "factura_cupon" }
        if state.billContract != nil { choices.append(Choice("factura_otro_contrato", "Otro contrato")) }
        ask(text, choices + [Choice("menu", "Menú principal")])
    }

    /// The number whose enrollments can be used without asking: the WhatsApp sender (WhatsApp
    /// vouches for it) or a number verified by code in this conversation.
    var knownPhone: String? {
        if state.channel == .whatsapp, let sender = state.senderPhone { return sender }
        if let phone = state.verifiedPhone, let at = state.verifiedAt, now.timeIntervalSince(at) < assistant.verificationReuse { return phone }
        return nil
    }

    mutating func beginBill(_ action: ConversationState.BillAction, effects: any AssistantEffects) async throws {
        state.billAction = action
        reach(.factura, 0)
        if let number = state.billContract, let bills = try await effects.bills(contractNumber: number) {
            return try await answerBill(bills, effects: effects)
        }
        if let phone = knownPhone {
            let enrolled = try await effects.enrollments(phone: phone)
            if enrolled.count == 1, let bills = try await effects.bills(contractNumber: enrolled[0].contractNumber) {
                return try await answerBill(bills, effects: effects)
            }
            if enrolled.count > 1 {
                state.step = .chooseBillContract
                ask("¿De cuál contrato?", enrolled.map { Choice("factura_contrato:\($0.contractNumber)", "\($0.contractNumber) · \($0.maskedAddress)") }
                    + [Choice("factura_otro_contrato", "Otro contrato")])
                return
            }
        }
        askBillContract()
    }

    mutating func askBillContract() {
        state.step = .askBillContract
        say("Escribe el número del contrato. Lo encuentras en tu factura como «Contrato».")
    }

    mutating func chooseBillContractStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice(let id) where id.hasPrefix("factura_contrato:"):
            try await lookUpBill(String(id.dropFirst("factura_contrato:".count)), effects: effects)
        case .choice("factura_otro_contrato"):
            askBillContract()
        case .text(let text) where ContractNumber.parse(text) != nil:
            try await lookUpBill(ContractNumber.parse(text)!, effects: effects)
        default:
            try await menuStep(input, effects: effects)
        }
    }

    mutating func billContractStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input else { return try await menuStep(input, effects: effects) }
        guard let number = ContractNumber.parse(text) else {
            let intent = intent(of: text)
            if intent != .fueraDeAlcance, intent != .afirmar, intent != .negar {
                return try await route(intent, effects: effects)
            }
            say("El número de contrato tiene entre 4 y 12 dígitos, sin letras. Revísalo en tu factura y escríbelo de nuevo.")
            return
        }
        try await lookUpBill(number, effects: effects)
    }

    mutating func lookUpBill(_ number: String, effects: any AssistantEffects) async throws {
        let stop = "Por tu seguridad no puedo seguir buscando contratos en esta conversación. Puedes consultar tu factura en Factura Web (\(knowledge.publicURL)/factura) o llamarnos a la línea \(knowledge.mainLineNumber). ¿Te ayudo con algo más?"
        guard (state.billMisses ?? 0) < Self.maxBillMisses else { return showMainMenu(stop) }
        guard let bills = try await effects.bills(contractNumber: number) else {
            let misses = (state.billMisses ?? 0) + 1
            state.billMisses = misses
            if misses >= Self.maxBillMisses { return showMainMenu(stop) }
            state.step = .askBillContract
            say("No encontré el contrato \(number). Revisa que esté bien escrito (lo encuentras en tu factura como «Contrato») y escríbelo de nuevo.")
            return
        }
        try await answerBill(bills, effects: effects)
    }

    mutating func billActionsStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("factura_valor"): try await beginBill(.amount, effects: effects)
        case .choice("factura_duplicado"): try await beginBill(.copy, effects: effects)
        case .choice("factura_pagar"): try await beginBill(.pay, effects: effects)
        case .choice("factura_cupon"): try await beginBill(.coupon, effects: effects)
        case .choice("factura_otro_contrato"):
            state.billContract = nil
            askBillContract()
        default: try await menuStep(input, effects: effects)
        }
    }

    /// Says what the customer asked of the contract's bills, then offers the rest.
    mutating func answerBill(_ contract: ContractBills, effects: any AssistantEffects) async throws {
        reach(.factura, 1)
        state.billContract = contract.contractNumber
        let action = state.billAction ?? .amount
        let heading = "Contrato \(contract.contractNumber) · \(contract.maskedAddress) · Titular: \(contract.maskedHolder)"
        guard let latest = contract.bills.first else {
            say("\(heading)\nEste contrato todavía no tiene facturas para consultar. Si crees que es un error, llámanos a la línea \(knowledge.mainLineNumber).")
            return showBillMenu("¿Te ayudo con algo más de tu factura?")
        }
        switch action {
        case .coupon:
            return askCouponAmount(contract, heading: heading)
        case .agreement:
            return try await offerAgreement(contract, heading: heading, effects: effects)
        case .amount:
            say("\(heading)\n\(Self.describe(latest, in: contract))")
        case .copy:
            say(heading)
            replies.append(.document(url: latest.pdfURL, filename: latest.filename, caption: "Factura de \(latest.period), contrato \(contract.contractNumber)"))
        case .pay:
            if contract.totalBalance == 0 {
                say("\(heading)\nNo tienes saldo pendiente: tu factura de \(latest.period) ya está pagada. ✅")
            } else {
                say("\(heading)\nSaldo a pagar: \(Money.format(cop: contract.totalBalance)). Paga en línea en Factura Web con PSE; el pago se aplica de inmediato.")
                replies.append(.link(url: contract.payURL, title: "Pagar en Factura Web"))
                if knowledge.coupons != nil { say("¿Prefieres pagar una parte (un abono) o en un banco? Elige «Cupón o abono».") }
            }
        }
        showBillMenu("¿Qué más necesitas de tu factura?")
    }

    static func describe(_ bill: BillSummary, in contract: ContractBills) -> String {
        let standing = bill.standing
        var text: String
        switch standing.status {
        case .paid:
            text = "Tu factura de \(bill.period) ya está pagada. ✅"
        case .financed:
            text = "Tu factura de \(bill.period) quedó en tu acuerdo de pago: sus cuotas llegan en tus próximas facturas."
        case .pending:
            text = "Tu factura de \(bill.period) es de \(Money.format(cop: standing.amount)). Saldo a pagar: \(Money.format(cop: standing.balance)), con fecha límite el \(bill.dueDate)."
        case .overdue:
            text = "Tu factura de \(bill.period), de \(Money.format(cop: standing.amount)), venció el \(bill.dueDate). Saldo a pagar: \(Money.format(cop: standing.balance)). Te recomendamos pagarla cuanto antes."
        }
        let older = contract.totalBalance - standing.balance
        if older > 0 {
            text += "\nAdemás tienes saldo pendiente de facturas anteriores por \(Money.format(cop: older)). En total debes \(Money.format(cop: contract.totalBalance))."
        } else if contract.totalBalance == 0 {
            text += "\n¡Estás al día! No debes nada: tu saldo es $ 0."
        }
        return text
    }
}
