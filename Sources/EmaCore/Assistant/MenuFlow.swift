import Foundation

/// The main menu and its choices.
extension Turn {
    // MARK: Menus

    static let mainMenu: [Choice] = [
        Choice("menu_factura_whatsapp", "Inscríbete a Tu factura por WhatsApp"),
        Choice("menu_factura", "Valor, duplicado y pago de tu factura"),
        Choice("menu_pqr", "Peticiones, quejas y reclamos"),
        Choice("menu_danos", "Reportar un daño"),
        Choice("menu_oficinas", "Oficinas y turnos"),
        Choice("menu_lineas", "Líneas de atención"),
        Choice("menu_transparencia", "Contacto Transparente"),
        Choice("menu_asesor", "Hablar con un asesor"),
        Choice("menu_datos", "Tus datos personales"),
    ]

    mutating func showMainMenu(_ text: String) {
        state.step = .mainMenu
        ask(text, Self.mainMenu)
    }

    mutating func showEnrollmentMenu(_ text: String = "Tu factura por WhatsApp: te llega cada mes a tu celular, sin costo. ¿Qué quieres hacer?") {
        state.step = .enrollmentMenu
        ask(text, [
            Choice("inscribir_contrato", "Inscribir un contrato"),
            Choice("ver_contratos", "Ver mis contratos"),
            Choice("eliminar_contrato", "Eliminar un contrato"),
            Choice("menu", "Menú principal"),
        ])
    }

    mutating func menuStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("menu_factura_whatsapp"): showEnrollmentMenu()
        case .choice("inscribir_contrato"): try await begin(.enroll, effects: effects)
        case .choice("ver_contratos"): try await begin(.list, effects: effects)
        case .choice("eliminar_contrato"): try await begin(.remove, effects: effects)
        case .choice("menu_factura"): showBillMenu("¿Qué necesitas de tu factura?")
        case .choice("menu_pqr"): beginPQR()
        case .choice("menu_danos"): beginDamage(hazard: nil)
        case .choice("menu_oficinas"): beginOffices(text: nil)
        case .choice("turno_pedir"): try await beginTurn(text: nil, effects: effects)
        case .choice("asesor_mensaje"): askAgentMessage()
        case .choice(let id) where id.hasPrefix("oficinas:"): showOffices(in: String(id.dropFirst("oficinas:".count)), note: nil)
        case .choice("menu_lineas"): try await route(.lineasAtencion, effects: effects)
        case .choice("menu_transparencia"): try await route(.contactoTransparente, effects: effects)
        case .choice("menu_asesor"): try await route(.hablarConAsesor, effects: effects)
        case .choice("menu_datos"): try await route(.datosPersonales, effects: effects)
        case .choice: showMainMenu("Elige una de estas opciones:")
        case .text(let text): try await route(intent(of: text), effects: effects)
        }
    }

    mutating func enrollmentMenuStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("inscribir_contrato"): try await begin(.enroll, effects: effects)
        case .choice("ver_contratos"): try await begin(.list, effects: effects)
        case .choice("eliminar_contrato"): try await begin(.remove, effects: effects)
        default: try await menuStep(input, effects: effects)
        }
    }

    /// What free text asks for, answered wherever the conversation stands.
    mutating func route(_ intent: Intent, effects: any AssistantEffects) async throws {
        // "cancelar mi turno" is about a turn, not about leaving the conversation.
        let words = TextNormalizer.normalize(lastText ?? "")
        noteMentioned(lastText)
        if words.contains("turno"), words.contains("cancel") || words.contains("anular") { return askTurnCode() }
        if ReminderStop.asked(words) { return try await stopReminders(effects: effects) }
        if Self.promotionsWithdrawn(words) { return try await withdrawPromotions(effects: effects) }
        if Self.promotionsAsked(words) { return try await beginPromotions(effects: effects) }
        if words.contains("prepago") || (words.contains("pin") && words.contains("recarga")) { return try await answerPrepaid(effects: effects) }
        if let request = Self.serviceRequest(in: words) { return beginServiceRequest(request) }
        if let article = try await article(for: intent, effects: effects) { return answerArticle(article) }
        if lastText != nil { count(intent == .fueraDeAlcance ? .notUnderstood(lastText ?? "") : .understood(intent)) }
        switch intent {
        case .inscribirFacturaWhatsapp: try await begin(.enroll, effects: effects)
        case .consultarContratos: try await begin(.list, effects: effects)
        case .eliminarContrato: try await begin(.remove, effects: effects)
        case .valorAPagar: try await beginBill(.amount, effects: effects)
        case .duplicadoFactura: try await beginBill(.copy, effects: effects)
        case .pagarFactura:
            let coupon = ["cupon", "abono", "abonar", "una parte"].contains { words.contains($0) }
            try await beginBill(coupon ? .coupon : .pay, effects: effects)
        case .radicarPQR: try await beginPQR(text: lastText, effects: effects)
        case .reportarDano: beginDamage(hazard: nil)
        case .oficinas: beginOffices(text: lastText)
        case .solicitarTurno: try await beginTurn(text: lastText, effects: effects)
        case .hablarConAsesor: try await beginHandoff(effects: effects)
        case .datosPersonales: try await beginDataRights(text: lastText, effects: effects)
        case .alternativasPago: try await beginBill(.agreement, effects: effects)
        case .consultarRadicado: askRadicado()
        case .saludo: showMainMenu("¡Hola! Qué gusto saludarte. ¿En qué te puedo ayudar?")
        case .gracias: showMainMenu("¡Con mucho gusto! ¿Hay algo más en lo que te pueda ayudar?")
        case .despedida:
            state.step = .mainMenu
            say("¡Gracias por escribirme! Que tengas un excelente día. Aquí estaré cuando me necesites. 👋")
        case .menu, .afirmar, .negar, .cancelar: showMainMenu("¿En qué te puedo ayudar?")
        case .fueraDeAlcance: showMainMenu("Disculpa, no entendí tu mensaje. 🙏 Puedo ayudarte con estas opciones:")
        default:
            say(information(intent))
            showMainMenu("¿Te ayudo con algo más?")
        }
    }
}
