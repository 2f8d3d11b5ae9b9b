import Foundation

/// The two agreements every conversation starts with — the privacy policy (Ley 1581) and the
/// terms and conditions — as one step over a legal document: read it, accept it or refuse it,
/// each answer recorded in the consent ledger with the document's version and hash.
enum Agreement: Sendable {
    case privacy, terms

    var step: ConversationState.Step { self == .privacy ? .consent : .terms }
    var kind: ConsentEvidence.Kind { self == .privacy ? .privacy : .terms }
    /// The prefix of its choices' ids: `<prefix>_si`, `<prefix>_leer`, `<prefix>_no`.
    var prefix: String { self == .privacy ? "consentimiento" : "terminos" }

    func document(_ knowledge: AssistantKnowledge) -> LegalDocument { self == .privacy ? knowledge.privacy : knowledge.terms }

    func question(_ knowledge: AssistantKnowledge) -> String {
        switch self {
        case .privacy:
            "Antes de empezar necesito tu autorización para recolectar y tratar tus datos personales (como tu número de celular, tu nombre y tus contratos) según nuestra política de privacidad. ¿Nos autorizas?"
        case .terms:
            "Para usar Ema y el servicio Tu factura por WhatsApp debes aceptar los términos y condiciones (versión \(knowledge.terms.version)). ¿Los aceptas?"
        }
    }

    var accept: Choice { Choice("\(prefix)_si", self == .privacy ? "Sí, autorizo" : "Acepto") }
    var read: Choice { Choice("\(prefix)_leer", self == .privacy ? "Leer la política" : "Leer los términos") }
    var refuse: Choice { Choice("\(prefix)_no", self == .privacy ? "No autorizo" : "No acepto") }

    var refusal: String {
        switch self {
        case .privacy:
            "Entiendo y respeto tu decisión. Sin tu autorización no puedo continuar con esta conversación, porque para ayudarte necesito tratar algunos de tus datos."
        case .terms:
            "Está bien. Sin aceptar los términos y condiciones no puedo atenderte por este canal."
        }
    }

    var unclear: String {
        switch self {
        case .privacy: "Para seguir necesito saber si autorizas el tratamiento de tus datos personales."
        case .terms: "Para seguir necesito saber si aceptas los términos y condiciones."
        }
    }
}

extension Turn {
    mutating func greet() {
        say("¡Hola! Soy Ema, la asesora virtual de \(knowledge.utilityName). 😊 Estoy aquí para ayudarte con tu factura, tus servicios y tus solicitudes.")
        ask(.privacy)
    }

    mutating func ask(_ agreement: Agreement) {
        state.step = agreement.step
        ask(agreement.question(knowledge), [agreement.accept, agreement.read, agreement.refuse])
    }

    mutating func agreementStep(_ agreement: Agreement, _ input: Input, effects: any AssistantEffects) async throws {
        let document = agreement.document(knowledge)
        if input == .choice(agreement.read.id) {
            showDocument(document)
            ask(agreement)
            return
        }
        switch yesNo(input, yes: agreement.accept.id, no: agreement.refuse.id) {
        case true?:
            try await effects.recordConsent(evidence(agreement.kind, document, granted: true))
            switch agreement {
            case .privacy:
                state.privacyVersion = document.version
                say("¡Gracias por tu confianza!")
                ask(.terms)
            case .terms:
                state.termsVersion = document.version
                showMainMenu("¡Perfecto! ¿En qué te puedo ayudar hoy?")
            }
        case false?:
            try await effects.recordConsent(evidence(agreement.kind, document, granted: false))
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

    mutating func showDocument(_ document: LegalDocument) {
        let summary = document.text.split(separator: "\n").prefix(12).joined(separator: "\n")
        say("\(document.title) (versión \(document.version))\n\n\(summary)")
        replies.append(.link(url: document.url, title: "Leer el texto completo"))
    }

    func otherChannels() -> String {
        let lines = knowledge.phoneLines.map { "• \($0.name): \($0.number)" }.joined(separator: "\n")
        return "Puedes comunicarte con nosotros por otros canales:\n\(lines)\n• En cualquiera de nuestras oficinas de atención."
    }
}
