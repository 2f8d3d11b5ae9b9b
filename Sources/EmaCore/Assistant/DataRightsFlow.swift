import Foundation

/// A holder's request over their personal data (Ley 1581 de 2012, art. 8), for a number
/// verified by SMS.
public struct DataRightRequest: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// *conocer*: a copy of everything held on the number.
        case know
        /// *actualizar*: the holder's name on the enrollments.
        case rename(String)
        /// *actualizar*: the enrollments move to another number, verified too.
        case renumber(String)
        /// *rectificar*: any other correction, a claim the staff answer.
        case correct(String)
        /// *suprimir*: delete what no law keeps, anonymise the rest, stop all messages.
        case suppress
        /// *revocar*: withdraw the authorization; enrollments end, paper bill continues.
        case revoke
    }

    public let action: Action
    /// The holder's verified number.
    public let phone: String
    public let channel: Channel
    public let conversationID: String

    public init(action: Action, phone: String, channel: Channel, conversationID: String) {
        self.action = action
        self.phone = phone
        self.channel = channel
        self.conversationID = conversationID
    }
}

/// What became of a request: its number, and what the holder must know.
public struct DataRightReceipt: Sendable, Equatable {
    /// `HD-2026-0000012`
    public let code: String
    /// The copy of the data (for `know`), a link valid a few days.
    public var link: String?
    /// The contracts whose enrollments changed (renamed, moved, ended).
    public var contracts: [String] = []
    /// For a claim the staff answer: the legal term.
    public var dueOn: CivilDate?
    /// Why it could not be done, for the holder.
    public var refusal: String?

    public init(code: String, link: String? = nil, contracts: [String] = [], dueOn: CivilDate? = nil, refusal: String? = nil) {
        self.code = code
        self.link = link
        self.contracts = contracts
        self.dueOn = dueOn
        self.refusal = refusal
    }
}

/// `datos_personales`: the holder's rights from Ema — know, update (name or number),
/// rectify, suppress, revoke — after verifying the number with an SMS code.
extension Turn {
    static let dataChoices = [
        Choice("datos_conocer", "Conocer mis datos"), Choice("datos_actualizar", "Actualizar o corregir"),
        Choice("datos_suprimir", "Suprimir mis datos"), Choice("datos_revocar", "Revocar autorización"),
        Choice("datos_promociones", "Promociones"),
    ]
    static let dataUpdateChoices = [
        Choice("datos_nombre", "Mi nombre"), Choice("datos_numero", "Número que recibe la factura"), Choice("datos_otro", "Otro dato"),
    ]
    static let dataConfirmChoices = [Choice("datos_confirmar", "Sí, confirmo"), Choice("datos_no", "No, volver al menú")]

    /// From the customer's words: the right they named ("quiero que borren mis datos" is a
    /// suppression, still confirmed later), or the menu of rights.
    mutating func beginDataRights(text: String?, effects: any AssistantEffects) async throws {
        switch Self.namedRight(text ?? "") {
        case "datos_suprimir": try await startDataRight(.suprimir, effects: effects)
        case "datos_revocar": try await startDataRight(.revocar, effects: effects)
        default: beginDataRights()
        }
    }

    /// The menu option the customer's words name, if any.
    static func namedRight(_ text: String) -> String? {
        let words = TextNormalizer.normalize(text)
        if ["revoc", "no autorizo"].contains(where: words.contains) { return "datos_revocar" }
        if ["borr", "elimin", "suprim"].contains(where: words.contains) { return "datos_suprimir" }
        if ["actualiz", "cambi", "correg", "corrij", "rectific"].contains(where: words.contains) { return "datos_actualizar" }
        if ["conocer", "copia", "que datos", "ver mis"].contains(where: words.contains) { return "datos_conocer" }
        return nil
    }

    mutating func beginDataRights() {
        state.dataRight = nil
        state.step = .dataMenu
        ask(
            "Como titular de tus datos personales puedes conocerlos, actualizarlos y corregirlos, pedir que los suprimamos y revocar la autorización que nos diste (Ley 1581 de 2012). Nuestra política de tratamiento está en \(knowledge.privacy.url). Antes de cualquier cambio verificaré tu número con un código por SMS. ¿Qué quieres hacer?",
            Self.dataChoices
        )
    }

    mutating func dataMenuStep(_ input: Input, effects: any AssistantEffects) async throws {
        let choice: String?
        switch input {
        case .choice(let id): choice = id
        case .text(let text): choice = Self.namedRight(text)
        }
        switch choice {
        case "datos_conocer": try await startDataRight(.conocer, effects: effects)
        case "datos_suprimir": try await startDataRight(.suprimir, effects: effects)
        case "datos_revocar": try await startDataRight(.revocar, effects: effects)
        case "datos_promociones": try await startDataRight(.promociones, effects: effects)
        case "datos_actualizar":
            state.step = .dataUpdateMenu
            ask("¿Qué dato quieres actualizar o corregir?", Self.dataUpdateChoices)
        default:
            ask("Elige una de estas opciones sobre tus datos personales:", Self.dataChoices)
        }
    }

    mutating func dataUpdateStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("datos_nombre"): try await startDataRight(.nombre, effects: effects)
        case .choice("datos_numero"): try await startDataRight(.numero, effects: effects)
        case .choice("datos_otro"): try await startDataRight(.corregir, effects: effects)
        default: ask("Elige el dato que quieres actualizar o corregir:", Self.dataUpdateChoices)
        }
    }

    /// Verifies the number (or reuses a verification of moments ago), then goes on in
    /// `continueDataRight`.
    mutating func startDataRight(_ action: ConversationState.DataRightDraft.Action, effects: any AssistantEffects) async throws {
        state.dataRight = ConversationState.DataRightDraft(action: action)
        try await begin(.data, effects: effects)
    }

    /// After the number is verified: the holder's number, or, when changing the number, the new
    /// one just verified.
    mutating func continueDataRight(_ phone: String, effects: any AssistantEffects) async throws {
        guard var draft = state.dataRight else { return beginDataRights() }
        if draft.action == .numero, let holder = draft.holder, holder != phone {
            return try await renumber(holder, to: phone, effects: effects)
        }
        draft.holder = phone
        state.dataRight = draft
        switch draft.action {
        case .conocer:
            let receipt = try await exercise(.know, phone: phone, effects: effects)
            if let link = receipt.link {
                say("Listo ✅ Registré tu consulta con el número \(receipt.code). Aquí tienes la copia de todo lo que guardamos asociado al \(ColombianMobile.display(phone)): \(link)\nEl enlace funciona durante 7 días. Si encuentras un dato equivocado, pídeme corregirlo.")
            } else {
                // On the kiosk's shared screen the link would stay for the next person: it goes by SMS.
                say("Listo ✅ Registré tu consulta con el número \(receipt.code). Te envié por mensaje de texto al \(ColombianMobile.display(phone)) el enlace a la copia de todo lo que guardamos; funciona durante 7 días.")
            }
            finishDataRight()
        case .nombre:
            state.step = .dataName
            say("Escribe tu nombre completo (nombres y apellidos), tal como quieres que aparezca en tus inscripciones.")
        case .numero:
            state.step = .dataNewPhone
            say("¿A qué número quieres pasar tus inscripciones? Escríbelo con sus 10 dígitos; le enviaré un código para verificarlo.")
        case .corregir:
            state.step = .dataCorrection
            say("Cuéntame qué dato está equivocado y cuál es el correcto. Lo revisará una persona de nuestro equipo.")
        case .promociones:
            try await askPromotions(phone, effects: effects)
        case .sinPromociones:
            try await withdrawPromotions(effects: effects)
        case .suprimir:
            state.step = .dataConfirm
            ask(
                "Antes de seguir, ten en cuenta: suprimir tus datos borra tus conversaciones con Ema, tu nombre y tu número del \(ColombianMobile.display(phone)), termina tus inscripciones (la factura te llegará por tu canal habitual: impresa o por correo) y detiene todo mensaje por WhatsApp. Las PQR y los pagos los conservamos porque la ley nos obliga, pero sin tu nombre ni tu número. No se puede deshacer. ¿Confirmas?",
                Self.dataConfirmChoices
            )
        case .revocar:
            state.step = .dataConfirm
            ask(
                "Si revocas la autorización, dejamos de tratar tus datos con base en ella: terminamos tus inscripciones a la factura por WhatsApp (te seguirá llegando por tu canal habitual: impresa a la dirección del predio o por correo) y no te escribiremos más. Tus PQR en curso siguen su trámite. ¿Confirmas?",
                Self.dataConfirmChoices
            )
        }
    }

    /// The new number was verified: the holder's enrollments move to it.
    mutating func renumber(_ holder: String, to phone: String, effects: any AssistantEffects) async throws {
        let receipt = try await exercise(.renumber(phone), phone: holder, effects: effects)
        if let refusal = receipt.refusal {
            say(refusal)
        } else if receipt.contracts.isEmpty {
            say("Verifiqué el \(ColombianMobile.display(phone)), pero el \(ColombianMobile.display(holder)) no tenía contratos inscritos para pasar. Registré tu solicitud con el número \(receipt.code).")
        } else {
            say("Listo ✅ Desde ahora la factura de \(contractList(receipt.contracts)) llegará al \(ColombianMobile.display(phone)). Registré tu solicitud con el número \(receipt.code).")
        }
        finishDataRight()
    }

    mutating func dataNameStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let holder = state.dataRight?.holder else { return beginDataRights() }
        guard case .text(let text) = input, let name = PersonName.clean(text) else {
            return say("Escribe tu nombre completo, con nombres y apellidos y solo letras, por ejemplo: María Fernanda López.")
        }
        let receipt = try await exercise(.rename(name), phone: holder, effects: effects)
        if receipt.contracts.isEmpty {
            say("El \(ColombianMobile.display(holder)) no tiene inscripciones activas, así que no guardamos un nombre que cambiar. Registré tu solicitud con el número \(receipt.code). Si otro dato está mal, elige «Otro dato» y lo revisamos.")
        } else {
            say("Listo ✅ Actualicé tu nombre a «\(name)» en \(contractList(receipt.contracts)). Registré tu solicitud con el número \(receipt.code).")
        }
        finishDataRight()
    }

    mutating func dataNewPhoneStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, let phone = ColombianMobile.e164(text) else {
            return say("Ese número no parece un celular colombiano. Escríbelo con 10 dígitos, empezando por 3, por ejemplo 300 123 4567.")
        }
        guard phone != state.dataRight?.holder else {
            return say("Ese es el mismo número que ya tienes registrado. Escribe el número nuevo.")
        }
        state.phone = phone
        try await sendCode(effects: effects)
    }

    mutating func dataCorrectionStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input, let holder = state.dataRight?.holder else {
            return say("Cuéntame en un mensaje qué dato está equivocado y cuál es el correcto.")
        }
        let detail = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard detail.count >= 10 else {
            return say("Cuéntame un poco más: qué dato está equivocado y cuál es el correcto.")
        }
        let receipt = try await exercise(.correct(String(detail.prefix(1_000))), phone: holder, effects: effects)
        let due = receipt.dueOn.map { " a más tardar el \($0.displayName)" } ?? ""
        let medium = state.channel == .whatsapp ? "por este mismo chat de WhatsApp" : "por mensaje de texto al \(ColombianMobile.display(holder))"
        say("Listo ✅ Radiqué tu reclamo con el número \(receipt.code). Una persona de nuestro equipo lo revisa y te responde \(medium)\(due), como dice la ley.")
        finishDataRight()
    }

    mutating func dataConfirmStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let draft = state.dataRight, let holder = draft.holder else { return beginDataRights() }
        switch input {
        case .choice("datos_confirmar"):
            break
        case .choice("datos_no"):
            state.dataRight = nil
            return showMainMenu("No hice ningún cambio. ¿En qué más te puedo ayudar?")
        default:
            return ask("¿Confirmas? Responde con una de las opciones.", Self.dataConfirmChoices)
        }
        if draft.action == .suprimir {
            let receipt = try await exercise(.suppress, phone: holder, effects: effects)
            say("Listo. Suprimí tus datos personales: tus conversaciones, tu nombre y tu número ya no están en nuestros sistemas, y no te llegarán más mensajes por WhatsApp. Las PQR y los pagos quedaron sin tu nombre ni tu número. Registré la solicitud con el número \(receipt.code). Gracias por haber usado Ema. 💚")
            // Nothing of this conversation stays: the server drops it after this turn.
            state = state.startedOver(at: now)
            state.forget = true
        } else {
            // The refusal goes to the consent ledger with the request (the server writes both).
            let receipt = try await exercise(.revoke, phone: holder, effects: effects)
            let ended = receipt.contracts.isEmpty ? "" : " Terminé tus inscripciones de \(contractList(receipt.contracts)): la factura te seguirá llegando por tu canal habitual, impresa a la dirección del predio o por correo."
            say("Listo. Revoqué tu autorización para tratar tus datos personales.\(ended) Registré la solicitud con el número \(receipt.code). Si algún día quieres volver a usar Ema, te pediré de nuevo la autorización.")
            state = state.startedOver(at: now)
        }
    }

    func exercise(_ action: DataRightRequest.Action, phone: String, effects: any AssistantEffects) async throws -> DataRightReceipt {
        try await effects.exerciseDataRight(DataRightRequest(action: action, phone: phone, channel: state.channel, conversationID: state.id))
    }

    func contractList(_ contracts: [String]) -> String {
        contracts.count == 1 ? "tu contrato \(contracts[0])" : "tus contratos \(contracts.dropLast().joined(separator: ", ")) y \(contracts.last!)"
    }

    mutating func finishDataRight() {
        state.dataRight = nil
        state.goal = nil
        showMainMenu("¿Te ayudo con algo más?")
    }
}
