import Foundation

/// Verifying a mobile number by SMS code, enrolling a contract on it, and removing one.
extension Turn {
    // MARK: Phone verification

    mutating func begin(_ goal: ConversationState.Goal, effects: any AssistantEffects) async throws {
        state.goal = goal
        state.contractNumber = nil
        if goal == .enroll { reach(.inscripcion, 0) }
        // The holder's data are opened, changed or deleted only on a verification of moments ago.
        let reuse = goal == .data ? min(assistant.verificationReuse, Assistant.dataVerificationReuse) : assistant.verificationReuse
        if let phone = state.verifiedPhone, let at = state.verifiedAt, now.timeIntervalSince(at) < reuse {
            say("Usaré el número \(ColombianMobile.display(phone)), que ya verificaste.")
            try await proceed(effects: effects)
            return
        }
        askPhone()
    }

    mutating func askPhone() {
        state.step = .askPhone
        if let sender = state.senderPhone {
            let question = state.goal == .enroll ? "¿En qué número de celular quieres recibir la factura?"
                : state.goal == .data ? "¿Cuál es tu número de celular? Te enviaré un código para verificar que eres su titular." : "¿Cuál es el número de celular inscrito?"
            ask("\(question) Puedes usar este mismo número o escribir otro, con sus 10 dígitos.",
                [Choice("usar_este_numero", "Usar \(ColombianMobile.display(sender))")])
        } else if state.goal == .enroll {
            say("¿En qué número de celular quieres recibir la factura? Escríbelo con sus 10 dígitos, por ejemplo 300 123 4567.")
        } else if state.goal == .data {
            say("¿Cuál es tu número de celular registrado? Escríbelo con sus 10 dígitos, por ejemplo 300 123 4567; te enviaré un código por SMS para verificar que eres su titular.")
        } else {
            say("¿Cuál es el número de celular inscrito? Escríbelo con sus 10 dígitos, por ejemplo 300 123 4567.")
        }
    }

    mutating func phoneStep(_ input: Input, effects: any AssistantEffects) async throws {
        if input == .choice("reenviar_codigo"), state.phone != nil {
            return try await sendCode(effects: effects)
        }
        if input == .choice("usar_este_numero"), let sender = state.senderPhone {
            // Still verified by SMS: writing from a number is not proof of holding its SIM.
            state.phone = sender
            return try await sendCode(effects: effects)
        }
        guard case .text(let text) = input, let phone = ColombianMobile.e164(text) else {
            say("Ese número no parece un celular colombiano. Escríbelo con 10 dígitos, empezando por 3, por ejemplo 300 123 4567.")
            state.step = .askPhone
            return
        }
        state.phone = phone
        try await sendCode(effects: effects)
    }

    static let codeChoices = [Choice("reenviar_codigo", "Reenviar el código"), Choice("cambiar_numero", "Cambiar el número")]

    mutating func sendCode(effects: any AssistantEffects) async throws {
        guard let phone = state.phone else { return askPhone() }
        let shown = ColombianMobile.display(phone)
        switch try await effects.sendCode(to: phone) {
        case .sent:
            state.codeSentAt = now
            state.step = .askCode
            if state.goal == .enroll { reach(.inscripcion, 1) }
            ask("Te envié un código de verificación de 6 dígitos por mensaje de texto al \(shown). Puede tardar hasta 3 minutos en llegar. Escríbelo aquí cuando lo recibas.", Self.codeChoices)
        case .wait(let seconds):
            state.step = .askCode
            ask("Ya te envié un código al \(shown) hace un momento; revisa tus mensajes de texto. Si no llega, podrás pedir otro \(seconds <= 1 ? "en un momento" : "en \(seconds) segundos").", Self.codeChoices)
        case .hourlyLimit(let seconds):
            state.step = .askPhone
            say("Por tu seguridad, ya enviamos el máximo de 5 códigos al \(shown) en la última hora. Podrás pedir otro en \(SpanishDuration.wait(seconds: seconds)), o escribir otro número.")
        case .deviceLimit(let seconds):
            state.step = .askPhone
            say("Por seguridad, desde esta conexión ya se pidieron muchos códigos en la última hora. Podrás pedir otro en \(SpanishDuration.wait(seconds: seconds)).")
        case .unavailable:
            clearProcedure()
            showMainMenu("La verificación por mensaje de texto no está disponible en este momento, así que no puedo confirmar tu número por aquí. 😔 Llámanos a la línea \(knowledge.mainLineNumber) o acércate a una oficina y te ayudamos. ¿Te ayudo con algo más?")
        }
    }

    mutating func codeStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("reenviar_codigo"):
            try await sendCode(effects: effects)
            return
        case .choice("cambiar_numero"):
            askPhone()
            return
        case .choice:
            ask("Escribe el código de 6 dígitos que te llegó por mensaje de texto.", Self.codeChoices)
            return
        case .text(let text):
            let digits = text.filter(\.isNumber)
            guard !digits.isEmpty, let phone = state.phone else {
                ask("Escribe el código de 6 dígitos que te llegó por mensaje de texto. Si no te llegó, puedo reenviártelo.", Self.codeChoices)
                return
            }
            let result = try await effects.checkCode(phone: phone, code: digits)
            if let problem = result.problem { return ask(problem, Self.codeChoices) }
            state.verifiedPhone = phone
            state.verifiedAt = now
            state.codeSentAt = nil
            say("¡Número verificado! ✅")
            try await proceed(effects: effects)
        }
    }

    /// After the number is verified: the step the goal needs.
    mutating func proceed(effects: any AssistantEffects) async throws {
        guard let phone = state.verifiedPhone else { return askPhone() }
        let goal = state.goal ?? .enroll
        if goal == .enroll { reach(.inscripcion, 2) }
        if goal == .data { return try await continueDataRight(phone, effects: effects) }
        let enrolled = try await effects.enrollments(phone: phone)
        switch goal {
        case .enroll:
            if enrolled.count >= assistant.maxContractsPerPhone {
                limitReached(phone, enrolled)
            } else if state.holderName == nil {
                state.step = .askName
                say("Ahora escribe el nombre completo de la persona que hace la inscripción (nombres y apellidos).")
            } else {
                askContract()
            }
        case .list:
            showEnrollments(phone, enrolled)
        case .data:
            break // continued above, before the enrollments were read
        case .remove:
            if enrolled.isEmpty {
                showEnrollmentMenu("El número \(ColombianMobile.display(phone)) no tiene contratos inscritos, así que no hay nada que eliminar. ¿Qué quieres hacer?")
            } else {
                state.step = .chooseRemoval
                ask("¿Cuál contrato quieres eliminar de Tu factura por WhatsApp?", enrolled.map { Choice("eliminar:\($0.contractNumber)", "Contrato \($0.contractNumber)") } + [Choice("menu", "Menú principal")])
            }
        }
    }

    mutating func limitReached(_ phone: String, _ enrolled: [EnrollmentSummary]) {
        let list = enrolled.map { "• Contrato \($0.contractNumber) — \($0.maskedAddress)" }.joined(separator: "\n")
        state.step = .enrollmentMenu
        ask(
            "El número \(ColombianMobile.display(phone)) ya tiene \(enrolled.count) contratos inscritos, que es el máximo permitido por número de celular:\n\(list)\nSi quieres inscribir otro, primero elimina uno de ellos.",
            [Choice("eliminar_contrato", "Eliminar un contrato"), Choice("menu", "Menú principal")]
        )
    }

    mutating func showEnrollments(_ phone: String, _ enrolled: [EnrollmentSummary]) {
        if enrolled.isEmpty {
            showEnrollmentMenu("El número \(ColombianMobile.display(phone)) todavía no tiene contratos inscritos. ¿Quieres inscribir uno?")
            return
        }
        let list = enrolled.map { "• Contrato \($0.contractNumber) — \($0.maskedAddress)" }.joined(separator: "\n")
        showEnrollmentMenu("Estos son los contratos inscritos al \(ColombianMobile.display(phone)) (\(enrolled.count) de \(assistant.maxContractsPerPhone)):\n\(list)")
    }

    // MARK: Enrollment

    mutating func nameStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, let name = Self.validName(text) else {
            say("Escribe tu nombre completo, con nombres y apellidos, por favor. Solo letras.")
            return
        }
        state.holderName = name
        say("Gracias, \(name.split(separator: " ").first.map(String.init) ?? name).")
        askContract()
    }

    static func validName(_ text: String) -> String? { PersonName.clean(text) }

    mutating func askContract() {
        state.step = .askContract
        say("Escribe el número del contrato del que quieres recibir la factura. Lo encuentras en tu factura, como «Contrato».")
    }

    mutating func contractStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input else { return askContract() }
        guard let number = ContractNumber.parse(text) else {
            say("El número de contrato tiene entre 4 y 12 dígitos, sin letras. Revísalo en tu factura y escríbelo de nuevo.")
            return
        }
        guard let phone = state.verifiedPhone else { return askPhone() }
        guard let contract = try await effects.contract(number: number) else {
            say("No encontré el contrato \(number). Revisa que esté bien escrito (lo encuentras en tu factura como «Contrato») y escríbelo de nuevo.")
            return
        }
        guard contract.active else {
            showEnrollmentMenu("El contrato \(number) no está activo, por eso no es posible inscribirlo para recibir la factura. Si crees que es un error, llámanos a la línea \(knowledge.mainLineNumber) o acércate a una oficina.")
            return
        }
        let enrolled = try await effects.enrollments(phone: phone)
        if enrolled.contains(where: { $0.contractNumber == number }) {
            showEnrollmentMenu("El contrato \(number) ya está inscrito en el \(ColombianMobile.display(phone)). No tienes que hacer nada más: tu factura te llegará por WhatsApp.")
            return
        }
        if enrolled.count >= assistant.maxContractsPerPhone {
            return limitReached(phone, enrolled)
        }
        state.contractNumber = number
        reach(.inscripcion, 3)
        state.contractChannels = contract.billChannels
        let challenge = AddressChallenge.options(for: contract.address, contractNumber: number)
        state.addressChoices = challenge.choices
        state.rightAddressID = challenge.rightID
        state.step = .confirmAddress
        ask("Para confirmar que el contrato es tuyo, elige la dirección donde se presta el servicio:", challenge.choices + [Choice("direccion_ninguna", "Ninguna de estas")])
    }

    mutating func addressStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .choice(let id) = input, id.hasPrefix("direccion_") else {
            state.offered = state.addressChoices + [Choice("direccion_ninguna", "Ninguna de estas")]
            ask("Elige una de las direcciones de la lista, o «Ninguna de estas».", state.offered)
            return
        }
        guard id == state.rightAddressID, let number = state.contractNumber, let phone = state.verifiedPhone else {
            state.contractNumber = nil
            showEnrollmentMenu("Por tu seguridad no puedo inscribir este contrato con esa información. Si la dirección de tu factura cambió o no aparece, acércate a una de nuestras oficinas o llama a la línea \(knowledge.mainLineNumber) para revisarla.")
            return
        }
        state.step = .confirmEnrollment
        ask("¿Confirmas que quieres recibir por WhatsApp la factura del contrato \(number) en el celular \(ColombianMobile.display(phone))?", [Choice("confirmar_si", "Sí, inscribir"), Choice("confirmar_no", "No")])
    }

    mutating func confirmEnrollmentStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch yesNo(input, yes: "confirmar_si", no: "confirmar_no") {
        case true?:
            guard let number = state.contractNumber, let phone = state.verifiedPhone, let name = state.holderName else { return showEnrollmentMenu() }
            let outcome = try await effects.enroll(EnrollmentRequest(phone: phone, contractNumber: number, holderName: name, channel: state.channel))
            state.contractNumber = nil
            switch outcome {
            case .enrolled, .alreadyEnrolled:
                reach(.inscripcion, 4)
                say(enrolledMessage(name: name, number: number, phone: phone))
                state.step = .afterEnrollment
                ask("¿Qué más quieres hacer?", [Choice("inscribir_contrato", "Inscribir otro contrato"), Choice("ver_contratos", "Ver mis contratos"), Choice("menu", "Menú principal")])
            case .limitReached:
                limitReached(phone, try await effects.enrollments(phone: phone))
            case .contractUnavailable:
                showEnrollmentMenu("El contrato \(number) ya no está disponible para inscribirlo. Si crees que es un error, llámanos a la línea \(knowledge.mainLineNumber).")
            }
        case false?:
            state.contractNumber = nil
            showEnrollmentMenu("Listo, no inscribí el contrato. ¿Qué quieres hacer?")
        case nil:
            ask("¿Confirmas la inscripción?", [Choice("confirmar_si", "Sí, inscribir"), Choice("confirmar_no", "No")])
        }
    }

    func enrolledMessage(name: String, number: String, phone: String) -> String {
        let first = name.split(separator: " ").first.map(String.init) ?? name
        return """
            ¡Listo, \(first)! 🎉 El contrato \(number) quedó inscrito: desde la próxima factura te llegará por WhatsApp al \(ColombianMobile.display(phone)).
            Ten en cuenta:
            • Puedes inscribir hasta \(assistant.maxContractsPerPhone) contratos por número de celular.
            • Puedes eliminar un contrato cuando quieras, desde este mismo menú.
            • Este servicio no tiene ningún costo.
            \(keptChannelsLine(state.contractChannels ?? [.impresa]))
            • Puedes pagar tu factura en línea en Factura Web; el pago se aplica de inmediato.
            • Si en un periodo no podemos entregarte la factura por WhatsApp, te llegará impresa en el siguiente; si pasa tres periodos seguidos, desactivaremos el envío por WhatsApp.
            """
    }

    // MARK: Removal

    mutating func chooseRemovalStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .choice(let id) = input, id.hasPrefix("eliminar:") else {
            return try await proceed(effects: effects)
        }
        let number = String(id.dropFirst("eliminar:".count))
        state.contractNumber = number
        if let phone = state.verifiedPhone {
            state.contractChannels = try await effects.enrollments(phone: phone).first { $0.contractNumber == number }?.billChannels
        }
        state.step = .confirmRemoval
        ask("¿Seguro que quieres dejar de recibir por WhatsApp la factura del contrato \(number)? \(afterRemoval)", [Choice("eliminar_si", "Sí, eliminar"), Choice("eliminar_no", "No")])
    }

    mutating func confirmRemovalStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch yesNo(input, yes: "eliminar_si", no: "eliminar_no") {
        case true?:
            guard let number = state.contractNumber, let phone = state.verifiedPhone else { return showEnrollmentMenu() }
            state.contractNumber = nil
            if try await effects.removeEnrollment(phone: phone, contractNumber: number) {
                showEnrollmentMenu("Listo, eliminé el contrato \(number) de Tu factura por WhatsApp. \(afterRemoval) ¿Qué más quieres hacer?")
            } else {
                showEnrollmentMenu("El contrato \(number) ya no estaba inscrito en este número. ¿Qué más quieres hacer?")
            }
        case false?:
            state.contractNumber = nil
            showEnrollmentMenu("Listo, no eliminé nada. ¿Qué quieres hacer?")
        case nil:
            ask("¿Eliminas el contrato \(state.contractNumber ?? "")?", [Choice("eliminar_si", "Sí, eliminar"), Choice("eliminar_no", "No")])
        }
    }
}

// MARK: What keeps coming besides WhatsApp

extension Turn {
    /// The enrollment's note on the bill's other channels: what keeps coming (the terms keep
    /// the paper bill unless the utility says otherwise), and what stops.
    func keptChannelsLine(_ channels: [BillChannel]) -> String {
        let kept = knowledge.paperBill.kept(channels)
        var lines: [String] = []
        if let keeps = PaperBillPolicy.keepsSentence(kept) { lines.append("• WhatsApp no reemplaza lo que ya recibes: tu factura \(keeps).") }
        if channels.contains(.impresa), !kept.contains(.impresa) {
            lines.append("• Desde la próxima factura ya no te llegará impresa: la recibirás por WhatsApp (y, si una entrega falla, impresa).")
        }
        return lines.joined(separator: "\n")
    }

    /// What the holder keeps receiving once the contract leaves WhatsApp.
    var afterRemoval: String {
        guard let keeps = PaperBillPolicy.keepsSentence(state.contractChannels ?? [.impresa]) else {
            return "Consulta y descarga tu factura en Factura Web: \(knowledge.publicURL)/factura."
        }
        return "Tu factura \(keeps)."
    }
}
