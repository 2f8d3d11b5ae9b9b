import Foundation

/// When human advisors answer chats: every day from `opens` to `closes`, Bogotá time
/// (8:00 a. m. to 8:00 p. m. unless the utility's data file says otherwise).
public struct AdvisorHours: Sendable, Equatable {
    /// Minutes after midnight.
    public let opens: Int
    public let closes: Int

    public init(opens: Int = 8 * 60, closes: Int = 20 * 60) {
        self.opens = opens
        self.closes = closes
    }

    /// `08:00`-style times; nil when malformed or not opening before closing.
    public init?(opens: String, closes: String) {
        func minutes(_ text: String) -> Int? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0..<60).contains(minute) else { return nil }
            return hour * 60 + minute
        }
        guard let open = minutes(opens), let close = minutes(closes), open < close, close <= 24 * 60 else { return nil }
        self.init(opens: open, closes: close)
    }

    public func isOpen(at date: Date) -> Bool {
        // Bogotá is UTC−5 all year.
        let minute = Int((date.timeIntervalSince1970 - 5 * 3_600).truncatingRemainder(dividingBy: 86_400) / 60 + 1_440) % 1_440
        return minute >= opens && minute < closes
    }

    /// `8:00 a. m. a 8:00 p. m.`
    public var spoken: String {
        func time(_ minutes: Int) -> String {
            TurnSlot(time: String(format: "%02d:%02d", minutes / 60 % 24, minutes % 60), left: 0).spoken
        }
        return "\(time(opens)) a \(time(closes))"
    }
}

/// The options of a 1–5 satisfaction question (ids `calificacion:N`).
public enum SurveyChoices {
    public static let rating = (1...5).map { Choice("calificacion:\($0)", ["1 · Muy mala", "2 · Mala", "3 · Regular", "4 · Buena", "5 · Excelente"][$0 - 1]) }
}

/// A hand-off to a human advisor as the engine asks for it.
public struct AgentRequest: Sendable, Equatable {
    public let conversationID: String
    public let channel: Channel
    /// The WhatsApp number, or a mobile given on the web for an answer by SMS.
    public let phone: String?
    /// The recent conversation, so the advisor does not ask again.
    public let transcript: [ConversationState.Line]
    /// A message left out of hours (nil for a live chat).
    public let message: String?

    public init(conversationID: String, channel: Channel, phone: String?, transcript: [ConversationState.Line], message: String? = nil) {
        self.conversationID = conversationID
        self.channel = channel
        self.phone = phone
        self.transcript = transcript
        self.message = message
    }
}

/// Where a live chat stands, as the customer is told.
public enum AgentQueueStatus: Sendable, Equatable {
    /// In the queue: how many are before (0 = next).
    case waiting(ahead: Int)
    /// An advisor is attending.
    case attending(name: String)
    /// The chat is over (closed by the advisor or left).
    case ended
}

/// `hablar_con_asesor`: in the advisors' hours the conversation goes to their inbox with its
/// recent history, and what the customer writes reaches the advisor until the advisor closes
/// it back to Ema; outside them Ema offers to file a PQR or leave a message.
extension Turn {
    static let handoffLeaveWords: Set<String> = ["cancelar", "salir", "terminar", "menu", "hablar con ema", "volver a ema", "cancelar asesor"]

    mutating func beginHandoff(effects: any AssistantEffects) async throws {
        guard knowledge.advisorHours.isOpen(at: now) else {
            state.step = .mainMenu
            return ask(
                "Nuestros asesores atienden por chat todos los días de \(knowledge.advisorHours.spoken), y en este momento no hay nadie en línea. 🌙 Puedo radicar tu petición, queja o reclamo ahora mismo, o dejarle tu mensaje a un asesor para que te responda en cuanto abra la atención.",
                [Choice("menu_pqr", "Radicar una PQR"), Choice("asesor_mensaje", "Dejar un mensaje"), Choice("menu", "Menú principal")]
            )
        }
        let request = AgentRequest(conversationID: state.id, channel: state.channel, phone: state.channel == .whatsapp ? state.senderPhone : nil, transcript: state.transcript)
        let (chat, status) = try await effects.requestAgent(request)
        count(.handoff)
        state.liveChat = chat
        state.step = .withAgent
        switch status {
        case .attending(let name):
            say("Ya estás conversando con \(name), de nuestro equipo de atención. Escríbele aquí.")
        case .waiting(let ahead):
            say("Te comunico con un asesor. 🙋 \(Self.queueLine(ahead)) El asesor verá lo que hemos hablado; mientras tanto puedes escribirle aquí tu consulta. Si ya no quieres esperar, escribe «cancelar».")
        case .ended:
            state.liveChat = nil
            showMainMenu("No pude comunicarte con un asesor. ¿Te ayudo con algo más?")
        }
    }

    static func queueLine(_ ahead: Int) -> String {
        switch ahead {
        case 0: "Eres el siguiente en la fila."
        case 1: "Hay 1 persona antes que tú en la fila."
        default: "Hay \(ahead) personas antes que tú en la fila."
        }
    }

    /// With an advisor: everything goes to the advisor, except the words that leave.
    mutating func withAgentStep(_ message: InboundMessage, effects: any AssistantEffects) async throws {
        guard let chat = state.liveChat else { return showMainMenu("¿En qué te puedo ayudar?") }
        let text = message.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let shown = message.choice.flatMap { id in state.offered.first { $0.id == id }?.title } ?? (message.location.map { "📍 Ubicación: \($0.label ?? $0.text)" } ?? text)
        if message.choice == "cancelar" || message.choice == "menu" || Self.handoffLeaveWords.contains(TextNormalizer.normalize(text)) {
            let wasAttended = try await effects.leaveAgent(chat: chat)
            state.liveChat = nil
            if wasAttended {
                state.pendingSurvey = "chat:" + chat
                return askChatRating(intro: "Terminaste la conversación con el asesor.")
            }
            return showMainMenu("Listo, saliste de la fila del chat con asesor. ¿Te ayudo con algo más?")
        }
        guard !shown.isEmpty else { return }
        switch try await effects.messageAgent(chat: chat, text: String(shown.prefix(1_000))) {
        case .waiting(let ahead):
            say("Tu mensaje quedó para el asesor. \(Self.queueLine(ahead))")
        case .attending:
            break
        case .ended:
            state.liveChat = nil
            showMainMenu("La conversación con el asesor ya terminó. ¿Te ayudo con algo más?")
        }
    }

    mutating func askChatRating(intro: String) {
        state.step = .mainMenu
        ask("\(intro) ¿Cómo calificarías la atención que recibiste, de 1 a 5? (5 es excelente)", SurveyChoices.rating)
    }

    // MARK: A message left out of hours

    mutating func askAgentMessage() {
        state.step = .leaveMessage
        say("Escribe tu mensaje para el asesor, con lo que necesitas (sin contraseñas ni códigos). Un asesor te responderá en cuanto abra la atención, a las \(TurnSlot(time: String(format: "%02d:%02d", knowledge.advisorHours.opens / 60, knowledge.advisorHours.opens % 60), left: 0).spoken)")
    }

    mutating func leaveMessageStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, text.count >= 5 else {
            return say("Cuéntame en pocas palabras qué necesitas, para dejárselo al asesor.")
        }
        state.agentMessage = String(text.prefix(1_000))
        if state.channel == .whatsapp, let sender = state.senderPhone {
            return try await leaveAgentMessage(phone: sender, effects: effects)
        }
        state.step = .leaveMessagePhone
        say("¿A qué celular te enviamos la respuesta por mensaje de texto? Escríbelo con sus 10 dígitos.")
    }

    mutating func leaveMessagePhoneStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, let phone = ColombianMobile.e164(text) else {
            return say("Ese número no parece un celular colombiano (10 dígitos, empieza por 3). Escríbelo de nuevo, o escribe «cancelar».")
        }
        try await leaveAgentMessage(phone: phone, effects: effects)
    }

    mutating func leaveAgentMessage(phone: String, effects: any AssistantEffects) async throws {
        guard let message = state.agentMessage else { return askAgentMessage() }
        state.agentMessage = nil
        _ = try await effects.requestAgent(AgentRequest(conversationID: state.id, channel: state.channel, phone: phone, transcript: [], message: message))
        count(.handoff)
        let how = state.channel == .whatsapp ? "por este mismo chat de WhatsApp" : "por mensaje de texto al \(ColombianMobile.display(phone))"
        showMainMenu("✅ Le dejé tu mensaje a un asesor; te responderá \(how) en cuanto abra la atención. ¿Te ayudo con algo más?")
    }
}
