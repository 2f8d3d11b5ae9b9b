import Foundation

/// The places left in one half-hour slot of an office's day.
public struct TurnSlot: Sendable, Equatable {
    /// `08:30`
    public let time: String
    public let left: Int

    public init(time: String, left: Int) {
        self.time = time
        self.left = left
    }

    /// `8:30 a. m.`, `12:00 m.`, `2:30 p. m.`
    public var spoken: String {
        let hour = Int(time.prefix(2)) ?? 0
        let minutes = String(time.suffix(2))
        if hour == 12, minutes == "00" { return "12:00 m." }
        let twelve = hour > 12 ? hour - 12 : hour
        return "\(twelve):\(minutes) \(hour >= 12 ? "p. m." : "a. m.")"
    }

    public var isMorning: Bool { time < "12:00" }
}

/// An office's business day with places, as Ema offers it.
public struct TurnDay: Sendable, Equatable {
    public let day: CivilDate
    /// Only slots with places left, in order.
    public let slots: [TurnSlot]

    public init(day: CivilDate, slots: [TurnSlot]) {
        self.day = day
        self.slots = slots
    }
}

/// A turn just booked or cancelled.
public struct TurnTicket: Sendable, Equatable {
    public let code: String
    public let office: String
    public let day: CivilDate
    public let time: String

    public init(code: String, office: String, day: CivilDate, time: String) {
        self.code = code
        self.office = office
        self.day = day
        self.time = time
    }
}

/// `solicitar_turno`: a turn at an office booked in the chat — the municipality (when there
/// are many offices), the office, the day, the morning or the afternoon, the time — and a
/// code; or a turn cancelled by its code.
extension Turn {
    var turnOffices: [OfficeEntry] {
        knowledge.officeDirectory.filter { $0.services.contains("Turnos") }
    }

    static let turnCancelChoice = Choice("turno_cancelar", "Cancelar un turno")

    /// The office or the municipality named in the customer's words.
    func turnPlace(in text: String?) -> (office: String?, municipality: String?) {
        let typed = TextNormalizer.normalize(text ?? "")
        guard !typed.isEmpty else { return (nil, nil) }
        if let office = turnOffices.first(where: { typed.contains(TextNormalizer.normalize($0.name)) }) { return (office.name, office.municipality) }
        return (nil, turnOffices.map(\.municipality).first { typed.contains(TextNormalizer.normalize($0)) })
    }

    mutating func beginTurn(text: String?, effects: any AssistantEffects) async throws {
        state.turn = ConversationState.TurnDraft()
        reach(.turno, 0)
        let offices = turnOffices
        guard !offices.isEmpty else {
            state.turn = nil
            say(information(.solicitarTurno))
            return showMainMenu("¿Te ayudo con algo más?")
        }
        if TextNormalizer.normalize(text ?? "").contains("cancel") { return askTurnCode() }
        let place = turnPlace(in: text)
        if let office = place.office {
            state.turn?.office = office
            return try await offerTurnDays(effects: effects)
        }
        if let municipality = place.municipality { return try await askTurnOffice(in: municipality, effects: effects) }
        askTurnPlace()
    }

    mutating func askTurnPlace() {
        let offices = turnOffices
        state.step = .turnOffice
        if offices.count <= 9 {
            return ask("Te ayudo a pedir un turno para que te atiendan en una oficina. ¿En cuál?", offices.map { Choice("turno_oficina:\($0.name)", $0.name) } + [Self.turnCancelChoice])
        }
        let municipalities = Array(Set(offices.map(\.municipality))).sorted()
        ask("Te ayudo a pedir un turno para que te atiendan en una oficina. ¿En qué municipio?", municipalities.prefix(9).map { Choice("turno_municipio:\($0)", $0) } + [Self.turnCancelChoice])
    }

    mutating func askTurnOffice(in municipality: String, effects: any AssistantEffects) async throws {
        let offices = turnOffices.filter { $0.municipality == municipality }
        state.step = .turnOffice
        if offices.count == 1 {
            state.turn?.office = offices[0].name
            return try await offerTurnDays(effects: effects)
        }
        ask("¿En cuál oficina de \(municipality)?", offices.prefix(10).map { Choice("turno_oficina:\($0.name)", $0.name) })
    }

    /// After the office is known: its days with places.
    mutating func offerTurnDays(effects: any AssistantEffects) async throws {
        guard let office = state.turn?.office, let entry = turnOffices.first(where: { $0.name == office }) else { return askTurnPlace() }
        let days = try await effects.turnAvailability(office: office).filter { !$0.slots.isEmpty }
        guard !days.isEmpty else {
            state.turn?.office = nil
            say("En \(office) ya no quedan turnos para los próximos días hábiles. 😕 Elige otra oficina, o acércate sin turno en su horario: \(entry.hours)")
            return askTurnPlace()
        }
        state.step = .turnDay
        reach(.turno, 1)
        ask("\(office) (\(entry.address)). ¿Qué día quieres ir?", days.map { Choice("turno_dia:\($0.day)", Self.dayTitle($0.day)) })
    }

    mutating func turnOfficeStep(_ input: Input, effects: any AssistantEffects) async throws {
        switch input {
        case .choice("turno_cancelar"):
            askTurnCode()
        case .choice(let id) where id.hasPrefix("turno_municipio:"):
            try await askTurnOffice(in: String(id.dropFirst("turno_municipio:".count)), effects: effects)
        case .choice(let id) where id.hasPrefix("turno_oficina:") && turnOffices.contains { $0.name == id.dropFirst("turno_oficina:".count) }:
            state.turn?.office = String(id.dropFirst("turno_oficina:".count))
            try await offerTurnDays(effects: effects)
        case .text(let text) where turnPlace(in: text).municipality != nil:
            try await beginTurn(text: text, effects: effects)
        case .text where try await leaveTurn(input, effects: effects):
            return
        default:
            say("No tengo oficinas con turnos con ese nombre.")
            askTurnPlace()
        }
    }

    mutating func turnDayStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .choice(let id) = input, id.hasPrefix("turno_dia:"), let day = CivilDate(id.dropFirst("turno_dia:".count)),
              let office = state.turn?.office
        else {
            if try await leaveTurn(input, effects: effects) { return }
            say("Elige uno de los días de la lista, por favor.")
            return try await offerTurnDays(effects: effects)
        }
        guard let slots = try await effects.turnAvailability(office: office).first(where: { $0.day == day })?.slots, !slots.isEmpty else {
            say("Ese día ya no quedan turnos en \(office).")
            return try await offerTurnDays(effects: effects)
        }
        state.turn?.day = day.description
        reach(.turno, 2)
        let morning = slots.filter(\.isMorning), afternoon = slots.filter { !$0.isMorning }
        if morning.isEmpty || afternoon.isEmpty { return askTurnTime(slots) }
        state.step = .turnPart
        ask("¿En la mañana (de \(morning[0].spoken) a \(morning[morning.count - 1].spoken)) o en la tarde (de \(afternoon[0].spoken) a \(afternoon[afternoon.count - 1].spoken))?",
            [Choice("turno_parte:manana", "En la mañana"), Choice("turno_parte:tarde", "En la tarde")])
    }

    mutating func turnPartStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let office = state.turn?.office, let day = state.turn?.day.flatMap(CivilDate.init) else { return askTurnPlace() }
        let slots = try await effects.turnAvailability(office: office).first(where: { $0.day == day })?.slots ?? []
        var morning: Bool?
        switch input {
        case .choice("turno_parte:manana"): morning = true
        case .choice("turno_parte:tarde"): morning = false
        case .text(let text):
            let words = TextNormalizer.normalize(text)
            if words.contains("manana") { morning = true } else if words.contains("tarde") { morning = false }
        default: break
        }
        guard let morning else {
            if try await leaveTurn(input, effects: effects) { return }
            return ask("Elige la mañana o la tarde:", [Choice("turno_parte:manana", "En la mañana"), Choice("turno_parte:tarde", "En la tarde")])
        }
        let chosen = slots.filter { $0.isMorning == morning }
        guard !chosen.isEmpty else {
            say("En la \(morning ? "mañana" : "tarde") de ese día ya no quedan turnos.")
            return try await offerTurnDays(effects: effects)
        }
        askTurnTime(chosen)
    }

    mutating func askTurnTime(_ slots: [TurnSlot]) {
        state.step = .turnTime
        ask("¿A qué hora? (Te muestro las horas con cupo.)", slots.prefix(10).map { slot in
            Choice("turno_hora:\(slot.time)", "\(slot.spoken) (\(slot.left == 1 ? "1 cupo" : "\(slot.left) cupos"))")
        })
    }

    mutating func turnTimeStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let office = state.turn?.office, let day = state.turn?.day.flatMap(CivilDate.init) else { return askTurnPlace() }
        guard case .choice(let id) = input, id.hasPrefix("turno_hora:") else {
            if try await leaveTurn(input, effects: effects) { return }
            say("Elige una de las horas de la lista, por favor.")
            let slots = try await effects.turnAvailability(office: office).first(where: { $0.day == day })?.slots ?? []
            return slots.isEmpty ? try await offerTurnDays(effects: effects) : askTurnTime(slots)
        }
        let time = String(id.dropFirst("turno_hora:".count))
        guard let ticket = try await effects.bookTurn(office: office, day: day, time: time, phone: state.channel == .whatsapp ? state.senderPhone : nil) else {
            say("Esa hora se llenó mientras elegías. 😕 Elige otra, por favor.")
            let slots = try await effects.turnAvailability(office: office).first(where: { $0.day == day })?.slots ?? []
            return slots.isEmpty ? try await offerTurnDays(effects: effects) : askTurnTime(slots)
        }
        state.turn = nil
        reach(.turno, 3)
        let address = turnOffices.first(where: { $0.name == office })?.address ?? ""
        say("✅ Listo, tu turno es el \(ticket.code): \(ticket.day.nameWithWeekday), a las \(TurnSlot(time: ticket.time, left: 0).spoken), en \(office) (\(address)).\nLlega unos minutos antes y muestra este código en la oficina. Si no puedes ir, cancélalo escribiéndome «cancelar turno» o en \(knowledge.publicURL)/turnos, para que otra persona use el cupo.")
        showMainMenu("¿Te ayudo con algo más?")
    }

    /// `jueves 3 de diciembre`: the coming days need no year, and fit a WhatsApp list row.
    static func dayTitle(_ day: CivilDate) -> String {
        let full = day.nameWithWeekday
        let year = " de \(day.year)"
        return full.hasSuffix(year) ? String(full.dropLast(year.count)) : full
    }

    /// Words that ask for something else leave the booking and are answered.
    mutating func leaveTurn(_ input: Input, effects: any AssistantEffects) async throws -> Bool {
        guard case .text(let text) = input else { return false }
        let intent = intent(of: text)
        guard ![.fueraDeAlcance, .solicitarTurno, .oficinas, .afirmar, .negar].contains(intent) else { return false }
        state.turn = nil
        try await route(intent, effects: effects)
        return true
    }

    mutating func askTurnCode() {
        state.turn = ConversationState.TurnDraft()
        state.step = .turnCancelCode
        say("Escribe el código del turno que quieres cancelar (empieza por T-, por ejemplo T-7KQ2MX).")
    }

    mutating func turnCancelCodeStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard case .text(let text) = input else { return askTurnCode() }
        let code = text.uppercased().filter { $0.isLetter || $0.isNumber || $0 == "-" }
        guard code.hasPrefix("T-"), code.count == 8 else {
            if !text.contains(where: \.isNumber), try await leaveTurn(input, effects: effects) { return }
            return say("Ese no parece un código de turno: tiene la forma T- y seis letras o números (por ejemplo T-7KQ2MX). Escríbelo de nuevo, o escribe «menú» para volver.")
        }
        guard let ticket = try await effects.waitingTurn(code: code) else {
            state.turn = nil
            say("No encontré un turno por atender con el código \(code). Revisa el código; si ya pasó o ya lo cancelaste, no hay nada más que hacer.")
            return showMainMenu("¿Te ayudo con algo más?")
        }
        // Asked first: a cancelled turn's place goes to somebody else.
        state.turn?.cancelCode = ticket.code
        state.step = .turnCancelConfirm
        ask("¿Cancelo tu turno \(ticket.code) del \(ticket.day.nameWithWeekday) a las \(TurnSlot(time: ticket.time, left: 0).spoken) en \(ticket.office)? El cupo quedará libre para otra persona.",
            [Self.cancelTurnYes, Self.cancelTurnNo])
    }

    static let cancelTurnYes = Choice("turno_cancelar_si", "Sí, cancelarlo")
    static let cancelTurnNo = Choice("turno_cancelar_no", "No, conservarlo")

    mutating func turnCancelConfirmStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let code = state.turn?.cancelCode else { return askTurnCode() }
        switch yesNo(input, yes: Self.cancelTurnYes.id, no: Self.cancelTurnNo.id) {
        case true?:
            state.turn = nil
            guard let ticket = try await effects.cancelTurn(code: code) else {
                say("Ese turno ya no está activo (quizá ya pasó o ya lo cancelaste).")
                return showMainMenu("¿Te ayudo con algo más?")
            }
            say("Cancelé tu turno \(ticket.code) del \(ticket.day.nameWithWeekday) a las \(TurnSlot(time: ticket.time, left: 0).spoken) en \(ticket.office). Gracias por avisar: el cupo queda libre para otra persona.")
            showMainMenu("¿Te ayudo con algo más?")
        case false?:
            state.turn = nil
            say("Listo, tu turno \(code) sigue en pie. Te esperamos.")
            showMainMenu("¿Te ayudo con algo más?")
        case nil:
            ask("¿Cancelo el turno \(code)? Responde sí o no.", [Self.cancelTurnYes, Self.cancelTurnNo])
        }
    }
}
