import Foundation

/// Ema's conversation engine: one turn in, the new state and the replies out. Flows are the
/// steps of `ConversationState.Step`; each step is a function of the input. The world is
/// reached only through `AssistantEffects`.
public struct Assistant: Sendable {
    public let knowledge: AssistantKnowledge
    public let classifier: IntentClassifier
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
        // Danger first, before any question, whatever the conversation was doing.
        let hazard = message.text.flatMap(DamageSafety.hazard(in:))
        if let hazard {
            say(DamageSafety.instruction(hazard, line: knowledge.damageLine))
        }
        if state.step == .withAgent {
            try await withAgentStep(message, effects: effects)
            if state.step == .withAgent { state.offered = [] }
            return
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

        switch state.step {
        case .consent: try await consentStep(input, effects: effects)
        case .terms: try await termsStep(input, effects: effects)
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
        case .pqrType: try await pqrTypeStep(input, effects: effects)
        case .pqrTopic: try await pqrTopicStep(input, effects: effects)
        case .pqrContract: try await pqrContractStep(input, effects: effects)
        case .pqrParent: try await pqrParentStep(input, effects: effects)
        case .pqrDescription: try await pqrDescriptionStep(input, effects: effects)
        case .pqrName: try await pqrNameStep(input, effects: effects)
        case .pqrPhone: try await pqrPhoneStep(input, effects: effects)
        case .pqrConfirm: try await pqrConfirmStep(input, effects: effects)
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

    // MARK: Greeting, consent and terms

    mutating func greet() {
        say("¡Hola! Soy Ema, la asesora virtual de \(knowledge.utilityName). 😊 Estoy aquí para ayudarte con tu factura, tus servicios y tus solicitudes.")
        askConsent()
    }

    mutating func askConsent() {
        state.step = .consent
        ask(
            "Antes de empezar necesito tu autorización para recolectar y tratar tus datos personales (como tu número de celular, tu nombre y tus contratos) según nuestra política de privacidad. ¿Nos autorizas?",
            [Choice("consentimiento_si", "Sí, autorizo"), Choice("consentimiento_leer", "Leer la política"), Choice("consentimiento_no", "No autorizo")]
        )
    }

    mutating func askTerms() {
        state.step = .terms
        ask(
            "Para usar Ema y el servicio Tu factura por WhatsApp debes aceptar los términos y condiciones (versión \(knowledge.terms.version)). ¿Los aceptas?",
            [Choice("terminos_si", "Acepto"), Choice("terminos_leer", "Leer los términos"), Choice("terminos_no", "No acepto")]
        )
    }

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

    mutating func consentStep(_ input: Input, effects: any AssistantEffects) async throws {
        if input == .choice("consentimiento_leer") {
            showDocument(knowledge.privacy)
            askConsent()
            return
        }
        switch yesNo(input, yes: "consentimiento_si", no: "consentimiento_no") {
        case true?:
            try await effects.recordConsent(evidence(.privacy, knowledge.privacy, granted: true))
            state.privacyVersion = knowledge.privacy.version
            say("¡Gracias por tu confianza!")
            askTerms()
        case false?:
            try await effects.recordConsent(evidence(.privacy, knowledge.privacy, granted: false))
            say("Entiendo y respeto tu decisión. Sin tu autorización no puedo continuar con esta conversación, porque para ayudarte necesito tratar algunos de tus datos.")
            say(otherChannels())
            state.step = .consent
            ask("Si cambias de opinión, aquí estaré.", [Choice("consentimiento_si", "Sí, autorizo"), Choice("consentimiento_leer", "Leer la política")])
        case nil:
            say("Para seguir necesito saber si autorizas el tratamiento de tus datos personales.")
            askConsent()
        }
    }

    mutating func termsStep(_ input: Input, effects: any AssistantEffects) async throws {
        if input == .choice("terminos_leer") {
            showDocument(knowledge.terms)
            askTerms()
            return
        }
        switch yesNo(input, yes: "terminos_si", no: "terminos_no") {
        case true?:
            try await effects.recordConsent(evidence(.terms, knowledge.terms, granted: true))
            state.termsVersion = knowledge.terms.version
            showMainMenu("¡Perfecto! ¿En qué te puedo ayudar hoy?")
        case false?:
            try await effects.recordConsent(evidence(.terms, knowledge.terms, granted: false))
            say("Está bien. Sin aceptar los términos y condiciones no puedo atenderte por este canal.")
            say(otherChannels())
            state.step = .terms
            ask("Si cambias de opinión, aquí estaré.", [Choice("terminos_si", "Acepto"), Choice("terminos_leer", "Leer los términos")])
        case nil:
            say("Para seguir necesito saber si aceptas los términos y condiciones.")
            askTerms()
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
        if words.contains("turno"), words.contains("cancel") || words.contains("anular") { return askTurnCode() }
        switch intent {
        case .inscribirFacturaWhatsapp: try await begin(.enroll, effects: effects)
        case .consultarContratos: try await begin(.list, effects: effects)
        case .eliminarContrato: try await begin(.remove, effects: effects)
        case .valorAPagar: try await beginBill(.amount, effects: effects)
        case .duplicadoFactura: try await beginBill(.copy, effects: effects)
        case .pagarFactura: try await beginBill(.pay, effects: effects)
        case .radicarPQR: beginPQR()
        case .reportarDano: beginDamage(hazard: nil)
        case .oficinas: beginOffices(text: lastText)
        case .solicitarTurno: try await beginTurn(text: lastText, effects: effects)
        case .hablarConAsesor: try await beginHandoff(effects: effects)
        case .datosPersonales: try await beginDataRights(text: lastText, effects: effects)
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

    // MARK: Phone verification

    mutating func begin(_ goal: ConversationState.Goal, effects: any AssistantEffects) async throws {
        state.goal = goal
        state.contractNumber = nil
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
            ask("Te envié un código de verificación de 6 dígitos por mensaje de texto al \(shown). Puede tardar hasta 3 minutos en llegar. Escríbelo aquí cuando lo recibas.", Self.codeChoices)
        case .wait(let seconds):
            state.step = .askCode
            ask("Ya te envié un código al \(shown) hace un momento; revisa tus mensajes de texto. Si no llega, podrás pedir otro en \(seconds) segundos.", Self.codeChoices)
        case .hourlyLimit(let seconds):
            state.step = .askPhone
            say("Por tu seguridad, ya enviamos el máximo de 5 códigos al \(shown) en la última hora. Podrás pedir otro en \(SpanishDuration.wait(seconds: seconds)), o escribir otro número.")
        case .deviceLimit(let seconds):
            state.step = .askPhone
            say("Por seguridad, desde esta conexión ya se pidieron muchos códigos en la última hora. Podrás pedir otro en \(SpanishDuration.wait(seconds: seconds)).")
        case .notSent:
            state.step = .askPhone
            say("No pude enviar el mensaje de texto en este momento. 😔 Intenta de nuevo en unos minutos, o escribe otro número.")
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
            • Seguirás recibiendo tu factura por el canal que ya tienes; la factura impresa sigue llegando a la dirección del servicio.
            • Puedes pagar tu factura en línea en Factura Web; el pago se aplica de inmediato.
            • Si en un periodo no podemos entregarte la factura por WhatsApp, te llegará impresa en el siguiente; si pasa tres periodos seguidos, desactivaremos el envío por WhatsApp.
            """
    }

    // MARK: Removal

    mutating func chooseRemovalStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .choice(let id) = input, id.hasPrefix("eliminar:") else {
            return try await proceed(effects: effects)
        }
        state.contractNumber = String(id.dropFirst("eliminar:".count))
        state.step = .confirmRemoval
        ask("¿Seguro que quieres dejar de recibir por WhatsApp la factura del contrato \(state.contractNumber!)? La seguirás recibiendo impresa.", [Choice("eliminar_si", "Sí, eliminar"), Choice("eliminar_no", "No")])
    }

    mutating func confirmRemovalStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch yesNo(input, yes: "eliminar_si", no: "eliminar_no") {
        case true?:
            guard let number = state.contractNumber, let phone = state.verifiedPhone else { return showEnrollmentMenu() }
            state.contractNumber = nil
            if try await effects.removeEnrollment(phone: phone, contractNumber: number) {
                showEnrollmentMenu("Listo, eliminé el contrato \(number) de Tu factura por WhatsApp. Seguirás recibiendo la factura impresa. ¿Qué más quieres hacer?")
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

    // MARK: The bill: amount, copy, payment

    static let billChoices: [Choice] = [
        Choice("factura_valor", "Valor a pagar"),
        Choice("factura_duplicado", "Duplicado de la factura"),
        Choice("factura_pagar", "Pagar en línea"),
    ]

    /// Contract numbers that do not exist, per conversation, before Ema stops looking.
    static let maxBillMisses = 5

    mutating func showBillMenu(_ text: String) {
        state.step = .billActions
        var choices = Self.billChoices
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
        if let number = state.billContract, let bills = try await effects.bills(contractNumber: number) {
            return answerBill(bills)
        }
        if let phone = knownPhone {
            let enrolled = try await effects.enrollments(phone: phone)
            if enrolled.count == 1, let bills = try await effects.bills(contractNumber: enrolled[0].contractNumber) {
                return answerBill(bills)
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
        answerBill(bills)
    }

    mutating func billActionsStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("factura_valor"): try await beginBill(.amount, effects: effects)
        case .choice("factura_duplicado"): try await beginBill(.copy, effects: effects)
        case .choice("factura_pagar"): try await beginBill(.pay, effects: effects)
        case .choice("factura_otro_contrato"):
            state.billContract = nil
            askBillContract()
        default: try await menuStep(input, effects: effects)
        }
    }

    /// Says what the customer asked of the contract's bills, then offers the rest.
    mutating func answerBill(_ contract: ContractBills) {
        state.billContract = contract.contractNumber
        let action = state.billAction ?? .amount
        let heading = "Contrato \(contract.contractNumber) · \(contract.maskedAddress) · Titular: \(contract.maskedHolder)"
        guard let latest = contract.bills.first else {
            say("\(heading)\nEste contrato todavía no tiene facturas para consultar. Si crees que es un error, llámanos a la línea \(knowledge.mainLineNumber).")
            return showBillMenu("¿Te ayudo con algo más de tu factura?")
        }
        switch action {
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

    // MARK: Moving around

    mutating func clearProcedure() {
        state.goal = nil
        state.billAction = nil
        state.billContract = nil
        state.contractNumber = nil
        state.addressChoices = []
        state.rightAddressID = nil
        state.pqr = nil
        state.radicadoTyped = nil
        state.damage = nil
        state.turn = nil
        state.agentMessage = nil
        state.dataRight = nil
    }

    mutating func restartAfterIdle() {
        clearProcedure()
        // Whoever comes back to an idle screen proves the number again.
        state.verifiedPhone = nil
        state.verifiedAt = nil
        if state.privacyVersion == knowledge.privacy.version, state.termsVersion == knowledge.terms.version {
            state.step = .mainMenu
            say("Como pasó un rato sin actividad, empecemos de nuevo.")
        } else {
            state.privacyVersion = nil
            state.termsVersion = nil
            state.step = .consent
        }
    }

    /// "volver": the question before this one.
    mutating func goBack(effects: any AssistantEffects) async throws {
        switch state.step {
        case .askPhone, .chooseRemoval, .afterEnrollment, .askName:
            showEnrollmentMenu()
        case .askCode:
            askPhone()
        case .askContract, .confirmAddress, .confirmEnrollment:
            state.contractNumber = nil
            askContract()
        case .confirmRemoval:
            try await proceed(effects: effects)
        case .askBillContract, .chooseBillContract, .billActions:
            state.billContract = nil
            showBillMenu("¿Qué necesitas de tu factura?")
        case .dataMenu, .dataUpdateMenu, .dataName, .dataNewPhone, .dataCorrection, .dataConfirm:
            beginDataRights()
        case .consent, .terms, .mainMenu, .enrollmentMenu, .surveyComment, .withAgent, .leaveMessage, .leaveMessagePhone:
            showMainMenu("¿En qué te puedo ayudar?")
        case .pqrType, .pqrTopic, .pqrContract, .pqrParent, .pqrDescription, .pqrName, .pqrPhone, .pqrConfirm:
            beginPQR()
        case .askRadicado, .askRadicadoCode:
            askRadicado()
        case .damageService, .damagePlace, .damageDescription, .damagePhone:
            beginDamage(hazard: nil)
        case .turnOffice, .turnDay, .turnCancelCode:
            state.turn = nil
            askTurnPlace()
        case .turnPart, .turnTime:
            try await offerTurnDays(effects: effects)
        }
    }

    // MARK: Information from the seeds

    func information(_ intent: Intent) -> String {
        let mainLine = knowledge.phoneLines.first.map { "\($0.name): \($0.number)" } ?? ""
        let nationalLine = knowledge.phoneLines.dropFirst().first.map { "\($0.name): \($0.number)" } ?? ""
        switch intent {
        case .radicarPQR:
            return "Puedes presentar peticiones, quejas, reclamos y recursos por la \(mainLine) (todos los días de 8:00 a. m. a 8:00 p. m.), por la \(nationalLine), por escrito o en cualquiera de nuestras oficinas. Al radicarla recibirás un número de radicado para hacerle seguimiento."
        case .consultarRadicado:
            return "Para conocer el estado de tu solicitud ten a mano el número de radicado que te dimos al presentarla y consúltalo en la \(mainLine) (de 8:00 a. m. a 8:00 p. m.) o en cualquiera de nuestras oficinas."
        case .reportarDano:
            return "⚠️ Si hueles a gas o ves un cable caído: aléjate del lugar, no toques nada, no enciendas ni apagues aparatos eléctricos y llama de inmediato a la \(mainLine), disponible 7x24 para daños. Para cualquier otro daño (sin luz, sin agua, una fuga, el alumbrado público) repórtalo en esa misma línea, a cualquier hora."
        case .oficinas, .solicitarTurno:
            let offices = knowledge.offices.prefix(8).map { "• \($0.municipality): \($0.lines.joined(separator: "; "))" }.joined(separator: "\n")
            let turn = intent == .solicitarTurno ? "Pide tu turno de atención en una oficina, para uno de los próximos días hábiles, en \(knowledge.publicURL)/turnos (también lo cancelas allí con su código). " : ""
            return "\(turn)Estas son algunas de nuestras oficinas y puntos de atención:\n\(offices)\nLas encuentras todas, con sus horarios, en \(knowledge.publicURL)."
        case .programaSomos:
            return "SOMOS es el programa de beneficios de \(knowledge.utilityName) para sus clientes. En los puntos de autogestión puedes sacar los certificados de la tarjeta SOMOS, y por la \(mainLine) te damos toda la información del programa."
        case .alternativasPago:
            return "Si se te dificulta pagar, tenemos alternativas de pago como acuerdos y financiación. Te atendemos por la \(mainLine) (de 8:00 a. m. a 8:00 p. m.) o en cualquiera de nuestras oficinas."
        case .hablarConAsesor:
            return "Un asesor te puede atender por la \(mainLine), todos los días de 8:00 a. m. a 8:00 p. m., o en persona en nuestras oficinas."
        case .contactoTransparente:
            return "En Contacto Transparente puedes denunciar, de forma anónima, cualquier acto de fraude o corrupción de nuestros funcionarios o contratistas: \(knowledge.publicURL)/transparencia. No guardamos quién eres ni desde dónde escribes, y el contenido se guarda cifrado; recibirás un código y una clave para consultar la respuesta. Por tu anonimato, no me cuentes los detalles en este chat. También puedes hacerlo por la \(nationalLine)."
        case .lineasAtencion:
            let lines = knowledge.phoneLines.map { "• \($0.name): \($0.number)" }.joined(separator: "\n")
            let hours = knowledge.hours.map { "• \($0.topic): \($0.schedule)" }.joined(separator: "\n")
            return "Nuestras líneas de atención:\n\(lines)\n• WhatsApp de Ema: \(knowledge.whatsAppLine)\nHorarios:\n\(hours)"
        case .datosPersonales:
            return "Como titular de tus datos puedes conocerlos, actualizarlos, rectificarlos y suprimirlos, y revocar la autorización que nos diste. Lee nuestra política de privacidad en \(knowledge.privacy.url) y ejerce tus derechos por la \(mainLine) o en nuestras oficinas."
        default:
            return otherChannels()
        }
    }
}
