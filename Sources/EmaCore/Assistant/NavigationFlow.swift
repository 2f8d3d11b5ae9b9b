import Foundation

/// Moving around a conversation (back, menu, cancel) and the information of the seeds.
extension Turn {
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
        state.mentioned = nil
    }

    mutating func restartAfterIdle() {
        clearProcedure()
        state.escalated = nil
        state.funnelSteps = nil
        count(.conversation)
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
        case .askBillContract, .chooseBillContract, .billActions, .couponAmount:
            state.billContract = nil
            showBillMenu("¿Qué necesitas de tu factura?")
        case .dataMenu, .dataUpdateMenu, .dataName, .dataNewPhone, .dataCorrection, .dataConfirm, .promotionsAnswer:
            beginDataRights()
        case .consent, .terms, .mainMenu, .enrollmentMenu, .surveyComment, .withAgent, .leaveMessage, .leaveMessagePhone, .articleFeedback:
            showMainMenu("¿En qué te puedo ayudar?")
        case .pqrType, .pqrTopic, .pqrContract, .pqrParent, .pqrDescription, .pqrName, .pqrPhone, .pqrConfirm:
            beginPQR()
        case .requestDetail:
            askPQRContract()
        case .askRadicado, .askRadicadoCode:
            askRadicado()
        case .damageService, .damagePlace, .damageDescription, .damagePhone:
            beginDamage(hazard: nil)
        case .turnOffice, .turnDay, .turnCancelCode, .turnCancelConfirm:
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
            return "SOMOS es el programa de beneficios de \(knowledge.utilityName) para sus clientes. Descarga los certificados de la tarjeta SOMOS (de deuda y para la declaración de renta), y reestructura tu deuda o abona a diferidos, en \(knowledge.publicURL)/somos, con tu cédula y un código que te llega al celular; también en los puntos de autogestión. Por la \(mainLine) te damos toda la información del programa."
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
