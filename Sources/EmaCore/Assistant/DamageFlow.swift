import Foundation

/// Reporting a damage with Ema (`reportar_dano`), any time of day: the service, where (an
/// address or, on WhatsApp, a shared location), what happens, and a number to call back;
/// the answer is a report number. Danger (gas, a fallen cable) is answered before this starts.
extension Turn {
    static var damageServiceChoices: [Choice] {
        DamageService.allCases.map { Choice("dano:\($0.rawValue)", $0.title) }
    }

    mutating func beginDamage(hazard: DamageSafety.Hazard?) {
        var draft = ConversationState.DamageDraft()
        draft.hazard = hazard?.rawValue
        if hazard == .gas { draft.service = .gas }
        if hazard == .cable { draft.service = .energia }
        state.damage = draft
        reach(.dano, 0)
        if draft.service != nil { return askDamagePlace() }
        state.step = .damageService
        ask("Te ayudo a reportar el daño; lo atendemos las 24 horas. ¿Qué servicio está fallando?", Self.damageServiceChoices)
    }

    mutating func damageServiceStep(_ input: Input, effects: any AssistantEffects) async throws {
        if input == .choice("ubicacion_oficinas"), let point = state.damage?.location {
            state.damage = nil
            return showNearestOffices(point)
        }
        guard case .choice(let id) = input, id.hasPrefix("dano:"), let service = DamageService(rawValue: String(id.dropFirst(5))) else {
            if case .text = input { return try await menuStep(input, effects: effects) }
            return ask("Elige el servicio que está fallando:", Self.damageServiceChoices)
        }
        state.damage?.service = service
        if state.damage?.location != nil { return askDamageDescription() }
        askDamagePlace()
    }

    mutating func askDamagePlace() {
        reach(.dano, 1)
        state.step = .damagePlace
        if state.channel == .whatsapp {
            say("¿Dónde es el daño? Escribe la dirección con el municipio y una referencia (por ejemplo: Calle 50 # 45-12, Medellín, frente al parque), o compárteme la ubicación con el clip 📎 → Ubicación.")
        } else {
            say("¿Dónde es el daño? Escribe la dirección con el municipio y una referencia (por ejemplo: Calle 50 # 45-12, Medellín, frente al parque).")
        }
    }

    mutating func damagePlaceStep(_ input: Input, effects: any AssistantEffects) async throws {
        // An address has numbers; a question without them ("¿a qué número los llamo?") is
        // answered instead.
        if case .text(let text) = input, !text.contains(where: \.isNumber) {
            let intent = intent(of: text)
            if intent != .fueraDeAlcance, intent != .afirmar, intent != .negar, intent != .reportarDano {
                state.damage = nil
                return try await route(intent, effects: effects)
            }
        }
        guard case .text(let text) = input, text.count >= 6 else {
            return say("Necesito la dirección del daño (al menos la calle y el número, con el municipio) para que la cuadrilla llegue.")
        }
        state.damage?.address = String(text.prefix(300))
        askDamageDescription()
    }

    /// A location shared on WhatsApp: the place of the report being made, or the start of one.
    mutating func locationShared(_ point: GeoPoint, effects: any AssistantEffects) async throws {
        guard state.privacyVersion != nil, state.termsVersion != nil else {
            return say("Recibí tu ubicación. Antes de seguir necesito tu autorización para tratar tus datos personales: respóndeme la pregunta anterior, por favor.")
        }
        if state.damage == nil || state.step != .damagePlace {
            state.damage = ConversationState.DamageDraft()
            state.damage?.location = point
            state.damage?.address = point.label
            state.step = .damageService
            return ask("Recibí tu ubicación (\(point.label ?? point.text)). ¿Quieres reportar un daño allí? Elige el servicio que está fallando, o mira las oficinas más cercanas.", Self.damageServiceChoices + [Choice("ubicacion_oficinas", "Oficinas cercanas")])
        }
        state.damage?.location = point
        if let label = point.label { state.damage?.address = label }
        askDamageDescription()
    }

    mutating func askDamageDescription() {
        reach(.dano, 2)
        state.step = .damageDescription
        say("Cuéntame qué pasa (por ejemplo: sin luz desde las 6 p. m. en toda la cuadra; fuga de agua en la acera).")
    }

    mutating func damageDescriptionStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, text.count >= 5 else {
            return say("Cuéntame en pocas palabras qué pasa con el servicio.")
        }
        state.damage?.description = String(text.prefix(2_000))
        if state.channel == .whatsapp, let sender = state.senderPhone {
            return try await fileDamage(phone: sender, effects: effects)
        }
        state.step = .damagePhone
        ask("¿A qué celular te podemos llamar si la cuadrilla necesita más datos?", [Choice("dano_sin_celular", "No dar un celular")])
    }

    mutating func damagePhoneStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("dano_sin_celular"):
            try await fileDamage(phone: nil, effects: effects)
        case .text(let text):
            guard let phone = ColombianMobile.e164(text) else {
                return ask("Ese número no parece un celular colombiano (10 dígitos, empieza por 3). Escríbelo de nuevo.", [Choice("dano_sin_celular", "No dar un celular")])
            }
            try await fileDamage(phone: phone, effects: effects)
        default:
            ask("Escribe tu celular o elige «No dar un celular».", [Choice("dano_sin_celular", "No dar un celular")])
        }
    }

    mutating func fileDamage(phone: String?, effects: any AssistantEffects) async throws {
        guard let draft = state.damage, let service = draft.service, let description = draft.description,
              draft.address != nil || draft.location != nil
        else { return beginDamage(hazard: nil) }
        let filing = DamageFiling(
            service: service, address: draft.address, location: draft.location, description: description, phone: phone,
            hazard: draft.hazard.flatMap(DamageSafety.Hazard.init(rawValue:)), channel: state.channel
        )
        let number = try await effects.reportDamage(filing)
        if let hazard = draft.hazard { state.filedHazard = .init(number: number, hazard: hazard, at: now) }
        reach(.dano, 3)
        state.damage = nil
        say("✅ Recibimos tu reporte de daño número \(number). Una cuadrilla lo atenderá según la prioridad de la emergencia. Si la situación empeora o hay riesgo para las personas, llama a la línea 24 horas: \(knowledge.damageLine).")
        showMainMenu("¿Te ayudo con algo más?")
    }
}
