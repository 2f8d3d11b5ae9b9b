import Foundation

/// The agreements every conversation starts with — the privacy policy (Ley 1581) and the terms
/// and conditions — asked together, in one question: read them, accept them or refuse them; each
/// document's answer is recorded in the consent ledger with its version and hash (two proofs for
/// one tap). `terms` alone is asked only of a conversation left waiting at that step by an
/// earlier version of Ema.
enum Agreement: Sendable {
    case both, terms

    var step: ConversationState.Step { self == .both ? .consent : .terms }
    /// The prefix of its choices' ids: `<prefix>_si`, `<prefix>_leer`, `<prefix>_no`.
    var prefix: String { self == .both ? "consentimiento" : "terminos" }

    /// The documents it covers, as the ledger records them.
    func documents(_ knowledge: AssistantKnowledge) -> [(kind: ConsentEvidence.Kind, document: LegalDocument)] {
        switch self {
        case .both: [(.privacy, knowledge.privacy), (.terms, knowledge.terms)]
        case .terms: [(.terms, knowledge.terms)]
        }
    }

    func question(_ knowledge: AssistantKnowledge) -> String {
        switch self {
        case .both:
            "Antes de empezar necesito tu autorización para tratar tus datos personales (como tu celular, tu nombre y tus contratos) según la política de tratamiento de datos personales, y que aceptes los términos y condiciones de Ema. ¿Autorizas y aceptas?"
        case .terms:
            "Para usar Ema y el servicio Tu factura por WhatsApp debes aceptar los términos y condiciones (versión \(knowledge.terms.version)). ¿Los aceptas?"
        }
    }

    // Titles of at most 20 characters: WhatsApp's reply buttons allow no more.
    var accept: Choice { Choice("\(prefix)_si", self == .both ? "Autorizo y acepto" : "Acepto") }
    var read: Choice { Choice("\(prefix)_leer", self == .both ? "Leer los documentos" : "Leer los términos") }
    var refuse: Choice { Choice("\(prefix)_no", self == .both ? "No, gracias" : "No acepto") }

    var refusal: String {
        switch self {
        case .both:
            "Entiendo y respeto tu decisión. Sin tu autorización no puedo continuar con esta conversación, porque para ayudarte necesito tratar algunos de tus datos."
        case .terms:
            "Está bien. Sin aceptar los términos y condiciones no puedo atenderte por este canal."
        }
    }

    var unclear: String {
        switch self {
        case .both: "Para seguir necesito saber si autorizas el tratamiento de tus datos personales y aceptas los términos y condiciones."
        case .terms: "Para seguir necesito saber si aceptas los términos y condiciones."
        }
    }
}

extension Turn {
    mutating func greet() {
        say("¡Hola! Soy Ema, la asesora virtual de \(knowledge.utilityName). 😊 Estoy aquí para ayudarte con tu factura, tus servicios y tus solicitudes.")
        ask(.both)
    }

    mutating func ask(_ agreement: Agreement) {
        state.step = agreement.step
        if agreement == .both { state.bothAsked = true }
        ask(agreement.question(knowledge), [agreement.accept, agreement.read, agreement.refuse])
    }

    mutating func agreementStep(_ agreement: Agreement, _ input: Input, effects: any AssistantEffects) async throws {
        let documents = agreement.documents(knowledge)
        if input == .choice(agreement.read.id) {
            for (_, document) in documents { showDocument(document) }
            ask(agreement)
            return
        }
        switch yesNo(input, yes: agreement.accept.id, no: agreement.refuse.id) {
        case true? where agreement == .both && state.bothAsked != true:
            // Stored by an earlier Ema, whose question named the policy alone: that is what «sí»
            // answered; the terms are asked now.
            try await effects.recordConsent(evidence(.privacy, knowledge.privacy, granted: true))
            state.privacyVersion = knowledge.privacy.version
            say("¡Gracias por tu confianza!")
            ask(.terms)
        case true?:
            for (kind, document) in documents {
                try await effects.recordConsent(evidence(kind, document, granted: true))
                if kind == .privacy { state.privacyVersion = document.version } else { state.termsVersion = document.version }
            }
            showMainMenu("¡Gracias por tu confianza! ¿En qué te puedo ayudar hoy?")
        case false?:
            for (kind, document) in documents { try await effects.recordConsent(evidence(kind, document, granted: false)) }
            say(agreement.refusal)
            say(otherChannels())
            state.step = agreement.step
            ask("Si cambias de opinión, aquí estaré.", [agreement.accept, agreement.read])
        case nil:
            if case .text(let text) = input, Self.withoutPersonalData.contains(intent(of: text)) {
                // Phone lines, offices, what to do about a damage: none needs personal data, so
                // Ema answers before any authorization, then asks again.
                say(information(intent(of: text)))
                return ask(agreement)
            }
            say(agreement.unclear)
            ask(agreement)
        }
    }

    /// What Ema answers before the authorization: general information, no personal data.
    static let withoutPersonalData: Set<Intent> = [.lineasAtencion, .oficinas, .reportarDano, .contactoTransparente]

    func yesNo(_ input: Input, yes: String, no: String) -> Bool? {
        switch input {
        case .choice(yes): return true
        case .choice(no): return false
        case .choice: return nil
        case .text(let text):
            switch intent(of: text) {
            case .afirmar: return true
            case .negar: return false
            default: return nil
            }
        }
    }

    func evidence(_ kind: ConsentEvidence.Kind, _ document: LegalDocument, granted: Bool) -> ConsentEvidence {
        ConsentEvidence(
            kind: kind, granted: granted, version: document.version, textHash: document.sha256, channel: state.channel,
            conversationID: state.id, phone: state.verifiedPhone, at: now
        )
    }

    /// A document in the chat: its title and what it says in a sentence, and its page to read it
    /// whole — not the whole text in one bubble.
    mutating func showDocument(_ document: LegalDocument) {
        say("\(document.title) (versión \(document.version)): \(document.summary)")
        replies.append(.link(url: document.url, title: "Lee el texto completo"))
    }

    func otherChannels() -> String {
        let lines = knowledge.phoneLines.map { "• \($0.name): \($0.number)" }.joined(separator: "\n")
        return "Puedes comunicarte con nosotros por otros canales:\n\(lines)\n• En cualquiera de nuestras oficinas de atención."
    }
}
