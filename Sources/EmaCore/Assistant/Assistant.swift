import Foundation

/// Ema's conversation engine: one turn in, the new state and the replies out. Flows are the
/// steps of `ConversationState.Step`; each step is a function of the input. The world is
/// reached only through `AssistantEffects`.
public struct Assistant: Sendable {
    public let knowledge: AssistantKnowledge
    /// Swapped for a retrained one when staff teach Ema (the server's `IntentModels`).
    public var classifier: IntentClassifier
    /// A conversation quiet for this long starts over.
    public var idleTimeout: TimeInterval = 15 * 60
    /// A number verified this recently in the same conversation is not asked again.
    public var verificationReuse: TimeInterval = 30 * 60
    /// For the holder's rights over their data, a verification counts only this long.
    public static let dataVerificationReuse: TimeInterval = 5 * 60
    /// Rule 1.1: contracts per mobile number.
    public var maxContractsPerPhone = 4

    public init(knowledge: AssistantKnowledge, classifier: IntentClassifier) {
        self.knowledge = knowledge
        self.classifier = classifier
    }

    /// A new conversation: the greeting and the privacy authorization.
    public func start(id: String, channel: Channel, now: Date, senderPhone: String? = nil) -> (ConversationState, [Reply]) {
        var state = ConversationState(id: id, channel: channel, now: now)
        state.senderPhone = senderPhone
        var turn = Turn(assistant: self, state: state, now: now)
        turn.greet()
        return (turn.state, turn.replies)
    }

    /// One message of the customer.
    public func handle(_ message: InboundMessage, state: ConversationState, now: Date, effects: any AssistantEffects) async throws -> (ConversationState, [Reply]) {
        var turn = Turn(assistant: self, state: state, now: now)
        turn.remember(Self.customerLine(message, in: state))
        do {
            try await turn.handle(message, effects: effects)
        } catch let limited as LookupLimited {
            turn.replies = []
            turn.clearProcedure()
            turn.showMainMenu("Por tu seguridad, desde esta conexión se hicieron muchas consultas de contratos o radicados en poco tiempo. Podrás consultar de nuevo en \(SpanishDuration.wait(seconds: limited.retryAfterSeconds)). Si es urgente, llámanos a la línea \(knowledge.mainLineNumber). ¿Te ayudo con algo más?")
        }
        if turn.state.forget != true { try await effects.recordUsage(turn.usage, channel: turn.state.channel, at: now) }
        // A conversation whose authorization was just withdrawn (or whose data were suppressed)
        // starts over empty: Ema's answer is not kept.
        for reply in turn.replies where turn.state.privacyVersion != nil {
            switch reply {
            case .text(let text), .choices(let text, _): turn.remember(.init(who: "ema", text: text))
            case .link(_, let title): turn.remember(.init(who: "ema", text: title))
            case .document(_, _, let caption): turn.remember(.init(who: "ema", text: caption))
            }
        }
        return (turn.state, turn.replies)
    }

    /// What the customer said, as an advisor would read it: the chosen option's title, never a
    /// verification code.
    static func customerLine(_ message: InboundMessage, in state: ConversationState) -> ConversationState.Line {
        if state.step == .askCode { return .init(who: "cliente", text: "(código de verificación)") }
        if let choice = message.choice { return .init(who: "cliente", text: state.offered.first { $0.id == choice }?.title ?? choice) }
        if let point = message.location { return .init(who: "cliente", text: "📍 Ubicación: \(point.label ?? point.text)") }
        return .init(who: "cliente", text: message.text ?? "")
    }
}

/// The work of one turn.
struct Turn {
    let assistant: Assistant
    var state: ConversationState
    let now: Date
    var replies: [Reply] = []
    /// The customer's words this turn, for flows that read more than the intent.
    var lastText: String?
    /// What the turn did, for the usage statistics.
    var usage: [UsageEvent] = []

    var knowledge: AssistantKnowledge { assistant.knowledge }

    enum Input: Equatable {
        case choice(String)
        case text(String)
    }

    // MARK: Speaking

    mutating func remember(_ line: ConversationState.Line) {
        guard !line.text.isEmpty else { return }
        // A link to the holder's copy of their data opens it: it is not kept where an advisor reads.
        let text = line.text.replacingOccurrences(of: #"/datos-personales/copia/[0-9a-f]+"#, with: "/datos-personales/copia/(enlace privado)", options: .regularExpression)
        state.transcript.append(.init(who: line.who, text: String(text.prefix(500))))
        if state.transcript.count > ConversationState.transcriptLength {
            state.transcript.removeFirst(state.transcript.count - ConversationState.transcriptLength)
        }
    }

    mutating func say(_ text: String) {
        replies.append(.text(text))
    }

    mutating func ask(_ text: String, _ choices: [Choice]) {
        replies.append(.choices(text, choices))
        state.offered = choices
    }

    // MARK: The turn

    mutating func handle(_ message: InboundMessage, effects: any AssistantEffects) async throws {
        // A customer waiting for an advisor may be quiet for long: the chat stays.
        if now.timeIntervalSince(state.lastActivity) > assistant.idleTimeout, state.liveChat == nil {
            restartAfterIdle()
        }
        state.lastActivity = now
        lastText = message.text
        if state.step != .withAgent { count(.turn) }
        // Danger first, before any question, whatever the conversation was doing.
        var hazard = message.text.flatMap(DamageSafety.hazard(in:))
        var reminded = false
        if let danger = hazard, let filed = state.filedHazard, filed.hazard == danger.rawValue, now.timeIntervalSince(filed.at) < 6 * 3_600 {
            // Already reported here: remind the report and the line, do not ask to file it again.
            say("Ya registramos tu reporte \(filed.number): una cuadrilla lo atenderá según la prioridad de la emergencia. Si la situación empeora o hay riesgo para las personas, aléjate del lugar y llama ya a la línea 24 horas: \(knowledge.damageLine).")
            hazard = nil
            reminded = true
        } else if let danger = hazard, state.damage?.hazard != danger.rawValue {
            // Said once per report: a description that mentions the gas again does not repeat it.
            say(DamageSafety.instruction(danger, line: knowledge.damageLine))
        }
        if state.step == .withAgent {
            try await withAgentStep(message, effects: effects)
            if state.step == .withAgent { state.offered = [] }
            return
        }
        if reminded, state.damage == nil {
            return showMainMenu("¿Te ayudo con algo más?")
        }
        if let point = message.location {
            state.offered = []
            return try await locationShared(point, effects: effects)
        }
        let input = resolve(message)
        state.offered = []
        if hazard != nil, state.privacyVersion != nil, state.termsVersion != nil, state.damage == nil, state.step != .damageDescription {
            return beginDamage(hazard: hazard)
        }
        if state.pendingSurvey != nil, state.step != .surveyComment, surveyScoreAnswer(message) {
            return
        }

        if let command = globalCommand(input), state.privacyVersion != nil, state.termsVersion != nil {
            switch command {
            case "menu":
                clearProcedure()
                showMainMenu("Este es el menú principal. ¿En qué te puedo ayudar?")
            case "cancel":
                clearProcedure()
                showMainMenu("Listo, cancelé ese trámite. ¿Te ayudo con algo más?")
            default:
                try await goBack(effects: effects)
            }
            return
        }

        try await perform(input, message: message, effects: effects)
        try await useMentioned(effects: effects)
    }

    /// The step the conversation is at, given the customer's input.
    mutating func perform(_ input: Input, message: InboundMessage, effects: any AssistantEffects) async throws {
        switch state.step {
        case .consent: try await agreementStep(.both, input, effects: effects)
        case .terms: try await agreementStep(.terms, input, effects: effects)
        case .mainMenu, .afterEnrollment: try await menuStep(input, effects: effects)
        case .enrollmentMenu: try await enrollmentMenuStep(input, effects: effects)
        case .askPhone: try await phoneStep(input, effects: effects)
        case .askCode: try await codeStep(input, effects: effects)
        case .askName: try await nameStep(input, effects: effects)
        case .askContract: try await contractStep(input, effects: effects)
        case .confirmAddress: try await addressStep(input, effects: effects)
        case .confirmEnrollment: try await confirmEnrollmentStep(input, effects: effects)
        case .chooseRemoval: try await chooseRemovalStep(input, effects: effects)
        case .confirmRemoval: try await confirmRemovalStep(input, effects: effects)
        case .askBillContract: try await billContractStep(input, effects: effects)
        case .chooseBillContract: try await chooseBillContractStep(input, effects: effects)
        case .billActions: try await billActionsStep(input, effects: effects)
        case .couponAmount: try await couponAmountStep(input, effects: effects)
        case .pqrType: try await pqrTypeStep(input, effects: effects)
        case .pqrTopic: try await pqrTopicStep(input, effects: effects)
        case .pqrContract: try await pqrContractStep(input, effects: effects)
        case .pqrParent: try await pqrParentStep(input, effects: effects)
        case .pqrDescription: try await pqrDescriptionStep(input, effects: effects)
        case .pqrName: try await pqrNameStep(input, effects: effects)
        case .pqrPhone: try await pqrPhoneStep(input, effects: effects)
        case .pqrConfirm: try await pqrConfirmStep(input, effects: effects)
        case .requestDetail: requestDetailStep(input)
        case .promotionsAnswer: try await promotionsAnswerStep(input, effects: effects)
        case .articleFeedback: try await articleFeedbackStep(input, effects: effects)
        case .askRadicado: try await radicadoStep(input, effects: effects)
        case .askRadicadoCode: try await radicadoCodeStep(input, effects: effects)
        case .surveyComment: try await surveyCommentStep(input, effects: effects)
        case .damageService: try await damageServiceStep(input, effects: effects)
        case .damagePlace: try await damagePlaceStep(input, effects: effects)
        case .damageDescription: try await damageDescriptionStep(input, effects: effects)
        case .damagePhone: try await damagePhoneStep(input, effects: effects)
        case .turnOffice: try await turnOfficeStep(input, effects: effects)
        case .turnDay: try await turnDayStep(input, effects: effects)
        case .turnPart: try await turnPartStep(input, effects: effects)
        case .turnTime: try await turnTimeStep(input, effects: effects)
        case .turnCancelCode: try await turnCancelCodeStep(input, effects: effects)
        case .turnCancelConfirm: try await turnCancelConfirmStep(input, effects: effects)
        case .withAgent: try await withAgentStep(message, effects: effects)
        case .leaveMessage: try await leaveMessageStep(input, effects: effects)
        case .leaveMessagePhone: try await leaveMessagePhoneStep(input, effects: effects)
        case .dataMenu: try await dataMenuStep(input, effects: effects)
        case .dataUpdateMenu: try await dataUpdateStep(input, effects: effects)
        case .dataName: try await dataNameStep(input, effects: effects)
        case .dataNewPhone: try await dataNewPhoneStep(input, effects: effects)
        case .dataCorrection: try await dataCorrectionStep(input, effects: effects)
        case .dataConfirm: try await dataConfirmStep(input, effects: effects)
        }
    }

    /// A choice id, an option's number, an option's words, or free text.
    func resolve(_ message: InboundMessage) -> Input {
        if let choice = message.choice?.trimmingCharacters(in: .whitespaces), !choice.isEmpty {
            return .choice(choice)
        }
        let text = (message.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let offered = state.offered
        if let number = Int(text), number >= 1, number <= offered.count {
            return .choice(offered[number - 1].id)
        }
        let normalized = TextNormalizer.normalize(text)
        if !normalized.isEmpty, let match = offered.first(where: { TextNormalizer.normalize($0.title) == normalized }) {
            return .choice(match.id)
        }
        return .text(text)
    }

    func globalCommand(_ input: Input) -> String? {
        switch input {
        case .choice("menu"): return "menu"
        case .choice("cancelar"): return "cancel"
        case .choice("volver"): return "back"
        case .choice: return nil
        case .text(let text):
            switch TextNormalizer.normalize(text) {
            case "menu", "menu principal", "inicio", "ir al menu", "volver al menu": return "menu"
            case "cancelar", "cancela", "cancelar tramite", "salir": return "cancel"
            case "volver", "atras", "regresar", "devolver": return "back"
            default: return nil
            }
        }
    }

    /// The intent of free text, with yes/no read first.
    func intent(of text: String) -> Intent {
        classifier.classify(text).intent
    }

    var classifier: IntentClassifier { assistant.classifier }
}
