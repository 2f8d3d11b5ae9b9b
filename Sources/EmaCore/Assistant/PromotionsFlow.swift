import Foundation

/// Promotions and news (seed 000: «promociones, novedades, productos y servicios» only with the
/// holder's express authorization): a question of its own, never bundled with the bill's
/// consent, off until the holder says yes; kept in the consent ledger; withdrawn in one message
/// («no quiero promociones»). WhatsApp vouches for its sender's number; on the web the number is
/// verified by SMS first.
extension Turn {
    static let promotionsChoices = [Choice("promociones_si", "Sí, acepto"), Choice("promociones_no", "No, gracias")]

    /// «No quiero promociones», «no más publicidad», «quitar las novedades».
    static func promotionsWithdrawn(_ words: String) -> Bool {
        let tokens = words.split(whereSeparator: { !$0.isLetter })
        let about = tokens.contains { $0.hasPrefix("promocion") || $0.hasPrefix("publicidad") || $0.hasPrefix("novedad") }
        let refuse = tokens.contains { ["no", "ni", "quitar", "quita", "quiten", "cancelar", "retirar", "retiro", "dejar", "suspender"].contains(String($0)) }
        return about && refuse
    }

    /// «Quiero recibir promociones», «promociones»: the question.
    static func promotionsAsked(_ words: String) -> Bool {
        words.split(whereSeparator: { !$0.isLetter }).contains { $0.hasPrefix("promocion") }
    }

    /// The number WhatsApp vouches for, or one verified in this conversation moments ago.
    var vouchedPhone: String? {
        if state.channel == .whatsapp, let sender = state.senderPhone { return sender }
        return state.verifiedPhone
    }

    /// The question, for the holder's number (verified first when Ema does not know it).
    mutating func beginPromotions(effects: any AssistantEffects) async throws {
        guard knowledge.promotions != nil else { return showMainMenu("Por ahora no enviamos promociones por este medio. ¿Te ayudo con algo más?") }
        guard let phone = vouchedPhone else { return try await startDataRight(.promociones, effects: effects) }
        state.dataRight = ConversationState.DataRightDraft(action: .promociones)
        state.dataRight?.holder = phone
        try await askPromotions(phone, effects: effects)
    }

    mutating func askPromotions(_ phone: String, effects: any AssistantEffects) async throws {
        guard let document = knowledge.promotions else { return finishDataRight() }
        let now = try await effects.promotionsGranted(phone: phone) ? "Hoy sí las recibes." : "Hoy no las recibes."
        state.step = .promotionsAnswer
        ask("Esta es una pregunta aparte y opcional: tu factura y todo lo demás siguen igual digas lo que digas. ¿Quieres que te enviemos al \(ColombianMobile.display(phone)) por WhatsApp promociones, novedades, productos y servicios de \(knowledge.utilityName)? \(now)\nEn resumen: \(document.summary)\nTexto completo: \(document.url)",
            Self.promotionsChoices)
    }

    mutating func promotionsAnswerStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let phone = state.dataRight?.holder else { return beginDataRights() }
        switch yesNo(input, yes: "promociones_si", no: "promociones_no") {
        case true?:
            try await recordPromotions(true, phone: phone, effects: effects)
            say("¡Listo! ✅ Guardé tu autorización. Te escribiremos con promociones y novedades entre las 7:00 a. m. y las 8:00 p. m. Cuando quieras dejar de recibirlas, escríbeme «no quiero promociones».")
            finishDataRight()
        case false?:
            try await recordPromotions(false, phone: phone, effects: effects)
            say("Entendido, no te enviaremos promociones. Tu factura y todo lo demás siguen igual.")
            finishDataRight()
        case nil:
            // Other words leave the question unanswered (nothing is recorded) and are read as usual.
            guard case .text(let text) = input else { return ask("¿Quieres recibir promociones y novedades? Elige una opción.", Self.promotionsChoices) }
            state.dataRight = nil
            try await route(intent(of: text), effects: effects)
        }
    }

    /// «No quiero promociones»: withdrawn at once for the number Ema knows; otherwise after
    /// verifying it.
    mutating func withdrawPromotions(effects: any AssistantEffects) async throws {
        guard let phone = vouchedPhone else { return try await startDataRight(.sinPromociones, effects: effects) }
        try await recordPromotions(false, phone: phone, effects: effects)
        state.dataRight = nil
        showMainMenu("Listo ✅ No te enviaremos más promociones ni novedades al \(ColombianMobile.display(phone)). Tu factura y tus recordatorios de pago siguen igual. ¿Te ayudo con algo más?")
    }

    mutating func recordPromotions(_ granted: Bool, phone: String, effects: any AssistantEffects) async throws {
        guard let document = knowledge.promotions else { return }
        try await effects.recordConsent(ConsentEvidence(
            kind: .promotions, granted: granted, version: document.version, textHash: document.sha256,
            channel: state.channel, conversationID: state.id, phone: phone, at: now
        ))
    }
}
