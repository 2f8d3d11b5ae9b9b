import Foundation

/// Filing a PQR with Ema (`radicar_pqr`), looking one up (`consultar_radicado`) and rating an
/// answered queja. Ema gathers the type, a broad topic, the contract, the story, the name (or
/// anonymity where the law allows it) and a number to be told on; the agent refines the rest.
extension Turn {
    static let pqrTypeChoices: [Choice] = [
        Choice("pqr_tipo:peticion", "Petición"),
        Choice("pqr_tipo:queja", "Queja"),
        Choice("pqr_tipo:reclamo", "Reclamo"),
        Choice("pqr_tipo:recurso_reposicion", "Recurso contra una respuesta"),
        Choice("pqr_tipo:sugerencia", "Sugerencia"),
        Choice("solicitud:separacion_cuentas", "Separar cuentas"),
        Choice("solicitud:aporte_voluntario", "Aporte voluntario"),
        Choice("pqr_consultar", "Consultar un radicado"),
    ]

    /// Failed radicado lookups per conversation before Ema stops.
    static let maxRadicadoMisses = 5

    /// Starts a PQR; «quiero poner un reclamo» starts a reclamo without asking the type again.
    mutating func beginPQR(text: String? = nil, effects: any AssistantEffects) async throws {
        guard let text, let type = Self.pqrType(in: text) else { return beginPQR() }
        reach(.pqr, 0)
        // «me llegó muy cara la factura del contrato 1023 4567, quiero reclamar»: the type, the
        // topic and the story are all there; only what is missing is asked.
        let topic = Self.pqrTopic(in: text)
        if let kind = CaseType(rawValue: type), kind != .sugerencia, !kind.isRecurso, topic != "tema_otro", text.count >= 40,
           let causal = CaseCatalog.topics.first(where: { $0.id == topic })?.causal {
            state.pqr = ConversationState.PQRDraft(type: kind)
            reach(.pqr, 1)
            state.pqr?.causal = causal
            state.pqr?.description = String(text.prefix(5_000))
            return askPQRContract()
        }
        try await pqrTypeStep(.choice("pqr_tipo:" + type), effects: effects)
    }

    /// The type a customer's words name, if any.
    static func pqrType(in text: String) -> String? {
        let words = TextNormalizer.normalize(text)
        return words.contains("reclam") ? "reclamo" : words.contains("queja") ? "queja"
            : words.contains("peticion") ? "peticion" : words.contains("recurso") ? "recurso_reposicion"
            : words.contains("sugerencia") ? "sugerencia" : nil
    }

    /// The broad topic a customer's words suggest (the agent refines the causal later).
    static func pqrTopic(in text: String) -> String {
        // Word beginnings, not any substring («llegas» is not about gas; «cobraron» is a charge).
        let words = TextNormalizer.normalize(text).split(whereSeparator: { !$0.isLetter })
        func any(_ keys: [String]) -> Bool { words.contains { word in keys.contains { word.hasPrefix($0) } } }
        if any(["factura", "cobr", "valor", "pago", "consumo", "tarifa"]) { return "tema_factura" }
        if any(["servicio", "luz", "energia", "agua", "gas", "corte", "falla", "suspension"]) { return "tema_servicio" }
        if any(["atencion", "asesor", "trato", "funcionario", "oficina", "espera"]) { return "tema_atencion" }
        return "tema_otro"
    }

    mutating func beginPQR() {
        reach(.pqr, 0)
        state.pqr = nil
        state.step = .pqrType
        ask("Con gusto te ayudo a radicar tu solicitud. Al final te daré un número de radicado y un código para consultarla. ¿Qué quieres presentar?\n• Petición: pides algo (información, un servicio, un cambio).\n• Queja: te inconformas con la atención o el servicio recibido.\n• Reclamo: no estás de acuerdo con un cobro o una decisión sobre tu contrato.", Self.pqrTypeChoices)
    }

    mutating func pqrTypeStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("pqr_consultar"):
            askRadicado()
        case .choice(let id) where id.hasPrefix("solicitud:"):
            guard let kind = ServiceRequest.Kind(rawValue: String(id.dropFirst("solicitud:".count))) else { return beginPQR() }
            beginServiceRequest(kind)
        case .choice(let id) where id.hasPrefix("pqr_tipo:"):
            guard let type = CaseType(rawValue: String(id.dropFirst("pqr_tipo:".count))) else { return beginPQR() }
            state.pqr = ConversationState.PQRDraft(type: type)
            reach(.pqr, 1)
            if type == .sugerencia {
                state.pqr?.causal = CaseCatalog.unclassified
                return askPQRContract()
            }
            state.step = .pqrTopic
            ask("¿Sobre qué tema es tu \(type.title.lowercased())?", CaseCatalog.topics.map { Choice($0.id, $0.title) })
        case .text(let text):
            if let type = Self.pqrType(in: text) { return try await pqrTypeStep(.choice("pqr_tipo:" + type), effects: effects) }
            if intent(of: text) == .consultarRadicado { return askRadicado() }
            // Not a type: the PQR stays where it is and Ema asks again.
            state.step = .pqrType
            ask("No te entendí. ¿Qué quieres presentar? Elige una opción (o escribe «cancelar» para salir).", Self.pqrTypeChoices)
        default:
            state.step = .pqrType
            ask("¿Qué quieres presentar?", Self.pqrTypeChoices)
        }
    }

    mutating func pqrTopicStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice(let id):
            guard let topic = CaseCatalog.topics.first(where: { $0.id == id }) else {
                state.step = .pqrTopic
                return ask("Elige el tema de tu solicitud:", CaseCatalog.topics.map { Choice($0.id, $0.title) })
            }
            state.pqr?.causal = topic.causal
        case .text(let text):
            // Written instead of picked: the words give the topic, and a long message is already
            // the story (not asked again).
            let id = Self.pqrTopic(in: text)
            state.pqr?.causal = CaseCatalog.topics.first { $0.id == id }?.causal ?? CaseCatalog.unclassified
            if text.count >= 20 { state.pqr?.description = String(text.prefix(5_000)) }
        }
        askPQRContract()
    }

    var pqrNeedsContract: Bool {
        guard let type = state.pqr?.type else { return false }
        return type == .reclamo || type.isRecurso || state.pqr?.requestKind != nil
    }

    mutating func askPQRContract() {
        state.step = .pqrContract
        if pqrNeedsContract {
            say("Escribe el número del contrato al que se refiere. Lo encuentras en tu factura como «Contrato».")
        } else {
            ask("Si tu solicitud es sobre un contrato, escribe su número (está en tu factura como «Contrato»). Si no, elige «No es sobre un contrato».", [Choice("pqr_sin_contrato", "No es sobre un contrato")])
        }
    }

    mutating func pqrContractStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("pqr_sin_contrato") where !pqrNeedsContract:
            state.pqr?.contractNumber = nil
            askPQRStory()
        case .text(let text):
            guard let number = ContractNumber.parse(text) else {
                say("El número de contrato tiene entre 4 y 12 dígitos, sin letras. Revísalo en tu factura y escríbelo de nuevo.")
                return askPQRContract()
            }
            guard (state.billMisses ?? 0) < Self.maxBillMisses else {
                clearProcedure()
                return showMainMenu("Por tu seguridad no puedo seguir buscando contratos en esta conversación. Puedes radicar tu solicitud en \(knowledge.publicURL)/pqr o llamarnos a la línea \(knowledge.mainLineNumber).")
            }
            guard let found = try await effects.contract(number: number) else {
                state.billMisses = (state.billMisses ?? 0) + 1
                say("No encontré el contrato \(number). Revisa que esté bien escrito y escríbelo de nuevo.")
                return askPQRContract()
            }
            state.pqr?.contractNumber = number
            if state.pqr?.requestKind != nil { return askRequestDetail(services: found.services) }
            if state.pqr?.type.isRecurso == true {
                state.step = .pqrParent
                return say("Escribe el número de radicado de la respuesta que quieres recurrir (por ejemplo 2026-0000123). Tienes cinco días hábiles desde que te la notificamos. No tienes que pagar la factura en discusión para presentar el recurso; solo la parte que no reclamas (o el promedio de los últimos cinco periodos).")
            }
            askPQRStory()
        default:
            askPQRContract()
        }
    }

    mutating func pqrParentStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, let radicado = Radicado.parse(text) else {
            return say("El radicado tiene el año y un número, por ejemplo 2026-0000123. Escríbelo de nuevo.")
        }
        state.pqr?.parentRadicado = radicado.text
        askPQRStory()
    }

    mutating func askPQRStory() {
        if let story = state.pqr?.description, !story.isEmpty { return askPQRName() }
        state.step = .pqrDescription
        say("Cuéntame en un solo mensaje qué pasó y qué solicitas. Entre más detalles (fechas, lugar, valores), mejor podremos ayudarte.")
    }

    mutating func pqrDescriptionStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, text.count >= 10 else {
            return say("Necesito que me cuentes un poco más (al menos 10 caracteres) qué pasó y qué solicitas.")
        }
        state.pqr?.description = String(text.prefix(5_000))
        askPQRName()
    }

    mutating func askPQRName() {
        reach(.pqr, 2)
        state.step = .pqrName
        if state.pqr?.type.allowsAnonymous == true, state.pqr?.requestKind == nil {
            ask("¿A nombre de quién la radico? Escribe tu nombre completo, o elige «Prefiero el anonimato».", [Choice("pqr_anonimo", "Prefiero el anonimato")])
        } else {
            say("¿A nombre de quién la radico? Escribe tu nombre completo.")
        }
    }

    mutating func pqrNameStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("pqr_anonimo") where state.pqr?.type.allowsAnonymous == true && state.pqr?.requestKind == nil:
            state.pqr?.anonymous = true
            state.pqr?.name = nil
        case .text(let text):
            guard let name = Self.validName(text) else {
                return say("Escribe tu nombre completo, solo con letras (por ejemplo: María Fernanda Gómez).")
            }
            state.pqr?.name = name
            state.pqr?.anonymous = false
        default:
            return say("Escribe tu nombre completo.")
        }
        if state.channel == .whatsapp, let sender = state.senderPhone {
            state.pqr?.phone = sender
            return confirmPQR()
        }
        state.step = .pqrPhone
        ask("¿A qué número de celular te avisamos cuando tengamos la respuesta? Si prefieres, no lo des y consulta la respuesta con tu radicado.", [Choice("pqr_sin_celular", "No dar un celular")])
    }

    mutating func pqrPhoneStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("pqr_sin_celular"):
            state.pqr?.phone = nil
        case .text(let text):
            guard let phone = ColombianMobile.e164(text) else {
                return ask("Ese número no parece un celular colombiano: tiene 10 dígitos y empieza por 3 (por ejemplo 300 123 4567). Escríbelo de nuevo.", [Choice("pqr_sin_celular", "No dar un celular")])
            }
            state.pqr?.phone = phone
        default:
            return ask("Escribe tu celular o elige «No dar un celular».", [Choice("pqr_sin_celular", "No dar un celular")])
        }
        confirmPQR()
    }

    mutating func confirmPQR() {
        guard let draft = state.pqr else { return beginPQR() }
        state.step = .pqrConfirm
        var lines = ["Tipo: \(draft.type.title)"]
        if let request = draft.request {
            lines.append("Solicitud: \(request.kind.title). \(request.summary)")
        } else if let topic = CaseCatalog.topics.first(where: { $0.causal == draft.causal }), draft.type != .sugerencia {
            lines.append("Tema: \(topic.title)")
        }
        if let contract = draft.contractNumber { lines.append("Contrato: \(contract)") }
        if let parent = draft.parentRadicado { lines.append("Recurso contra el radicado: \(parent)") }
        lines.append("A nombre de: \(draft.anonymous ? "anónimo" : draft.name ?? "")")
        if let phone = draft.phone { lines.append("Te avisamos al: \(ColombianMobile.display(phone))") }
        if draft.request == nil { lines.append("Tu relato: «\(String((draft.description ?? "").prefix(300)))»") }
        ask("Revisa tu solicitud:\n" + lines.joined(separator: "\n") + "\n¿La radico?", [Choice("pqr_radicar", "Sí, radicar"), Choice("pqr_no", "No, cancelar")])
    }

    mutating func pqrConfirmStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch yesNo(input, yes: "pqr_radicar", no: "pqr_no") {
        case true?:
            guard let draft = state.pqr, let description = draft.description else { return beginPQR() }
            let filing = CaseFiling(
                type: draft.type, causal: draft.causal, contractNumber: draft.contractNumber, parentRadicado: draft.parentRadicado,
                description: description, name: draft.name, anonymous: draft.anonymous, phone: draft.phone,
                channel: state.channel, conversationID: state.id, request: draft.request
            )
            switch try await effects.fileCase(filing) {
            case .filed(let radicado, let code, let dueDate):
                reach(.pqr, 3)
                state.pqr = nil
                say("✅ Radicamos tu \(draft.type.title.lowercased()).\nNúmero de radicado: \(radicado)\nCódigo de consulta: \(code)\nGuárdalos: con los dos consultas el estado y la respuesta aquí conmigo o en \(knowledge.publicURL)/radicado?numero=\(radicado). Te responderemos a más tardar el \(dueDate).")
                showMainMenu("¿Te ayudo con algo más?")
            case .rejected(let reason):
                say("No pude radicarla: \(reason)")
                if draft.type.isRecurso { state.step = .pqrParent; return say("Escribe de nuevo el radicado, o escribe «menú» para salir.") }
                state.pqr = nil
                showMainMenu("¿Te ayudo con algo más?")
            }
        case false?:
            state.pqr = nil
            showMainMenu("Listo, no radiqué nada. ¿Te ayudo con algo más?")
        case nil:
            confirmPQR()
        }
    }

    // MARK: Looking a case up

    mutating func askRadicado() {
        state.radicadoTyped = nil
        state.step = .askRadicado
        say("Escribe el número de radicado que te dimos al presentar tu solicitud (por ejemplo 2026-0000123).")
    }

    mutating func radicadoStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input else { return try await menuStep(input, effects: effects) }
        guard let radicado = Radicado.parse(text) else {
            let intent = intent(of: text)
            if intent != .fueraDeAlcance, intent != .afirmar, intent != .negar { return try await route(intent, effects: effects) }
            return say("El radicado tiene el año y un número, por ejemplo 2026-0000123. Escríbelo de nuevo.")
        }
        state.radicadoTyped = radicado.text
        state.step = .askRadicadoCode
        say("Ahora escribe el código de consulta de 6 letras y números que te dimos con el radicado.")
    }

    mutating func radicadoCodeStep(_ input: Input, effects: any AssistantEffects) async throws {
        let stop = "Por tu seguridad no puedo seguir consultando radicados en esta conversación. Llámanos a la línea \(knowledge.mainLineNumber) y te ayudamos."
        guard (state.radicadoMisses ?? 0) < Self.maxRadicadoMisses else { clearProcedure(); return showMainMenu(stop) }
        guard case .text(let typedCode) = input, let radicado = state.radicadoTyped else { return askRadicado() }
        guard let summary = try await effects.caseStatus(radicado: radicado, code: typedCode) else {
            let misses = (state.radicadoMisses ?? 0) + 1
            state.radicadoMisses = misses
            if misses >= Self.maxRadicadoMisses { clearProcedure(); return showMainMenu(stop) }
            state.step = .askRadicado
            return say("No encontré una solicitud con ese radicado y ese código. Revisa los dos y escribe de nuevo el radicado.")
        }
        state.radicadoTyped = nil
        var text = "Radicado \(summary.radicado) · \(summary.typeTitle)\nEstado: \(summary.statusTitle)\nRadicada el \(summary.filedOn)."
        if let answer = summary.answer, let answeredOn = summary.answeredOn {
            text += "\nRespondida el \(answeredOn). Decisión: \(summary.decision ?? "")\nRespuesta: \(answer)"
            if let until = summary.appealUntil {
                text += "\nSi no estás de acuerdo, puedes presentar un recurso de reposición (y en subsidio de apelación ante la Superintendencia de Servicios Públicos) hasta el \(until)."
            }
        } else {
            text += "\nTe responderemos a más tardar el \(summary.dueOn)."
        }
        say(text)
        showMainMenu("¿Te ayudo con algo más?")
    }

    // MARK: Satisfaction with an answered queja

    /// A 1–5 right after the survey question is the rating (read from the raw text: a digit
    /// would otherwise pick an option of the last menu; or one of the rating options);
    /// anything else drops the survey and goes on as usual.
    mutating func surveyScoreAnswer(_ message: InboundMessage) -> Bool {
        let typed = message.choice.map { $0.hasPrefix("calificacion:") ? String($0.dropFirst("calificacion:".count)) : "" } ?? (message.text ?? "")
        guard let score = Int(typed.trimmingCharacters(in: .whitespacesAndNewlines)), (1...5).contains(score) else {
            state.pendingSurvey = nil
            return false
        }
        state.surveyScore = score
        state.step = .surveyComment
        ask("¡Gracias por tu calificación! ¿Quieres contarnos algo más sobre la atención? Escríbelo, o elige «Sin comentarios».", [Choice("encuesta_sin_comentario", "Sin comentarios")])
        return true
    }

    mutating func surveyCommentStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let subject = state.pendingSurvey, let score = state.surveyScore else { return showMainMenu("¿En qué te puedo ayudar?") }
        var comment: String?
        if case .text(let text) = input { comment = text }
        state.pendingSurvey = nil
        state.surveyScore = nil
        if subject.hasPrefix("chat:") {
            _ = try await effects.rateChat(chat: String(subject.dropFirst("chat:".count)), score: score, comment: comment)
        } else {
            _ = try await effects.rateCase(radicado: subject, score: score, comment: comment)
        }
        showMainMenu("Gracias, tu opinión nos ayuda a mejorar. 💚 ¿Te ayudo con algo más?")
    }
}
