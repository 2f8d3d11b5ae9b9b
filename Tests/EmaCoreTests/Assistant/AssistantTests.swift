import EmaCore
import Foundation
import Testing

/// An in-memory world for the conversation engine.
actor FakeEffects: AssistantEffects {
    var consents: [ConsentEvidence] = []
    var contracts: [String: ContractSummary] = [
        "10234567": ContractSummary(number: "10234567", address: "CL 50 45 12 AP 301", municipality: "Medellín", active: true),
        "20345678": ContractSummary(number: "20345678", address: "CR 43A 1 50", municipality: "Itagüí", active: true),
        "30456789": ContractSummary(number: "30456789", address: "TV 32 75 20", municipality: "Bello", active: false),
        "40567890": ContractSummary(number: "40567890", address: "DG 55 34 10", municipality: "Envigado", active: true),
        "50678901": ContractSummary(number: "50678901", address: "CQ 1 2 3", municipality: "Sabaneta", active: true),
        "60789012": ContractSummary(number: "60789012", address: "AV 80 12 5", municipality: "Medellín", active: true),
    ]
    var enrolled: [String: [String]] = [:]
    var codesSent: [String] = []
    var code = "482913"
    var codeAttempts = 0
    var nextIssue: CodeIssue = .sent
    var codeExpired = false

    func recordConsent(_ consent: ConsentEvidence) { consents.append(consent) }

    func sendCode(to phone: String) -> CodeIssue {
        if nextIssue == .sent {
            codesSent.append(phone)
            codeAttempts = 0
            codeExpired = false
        }
        return nextIssue
    }

    func checkCode(phone: String, code typed: String) -> OneTimeCodePolicy.CheckResult {
        if codeExpired { return .expired }
        if codeAttempts >= 5 { return .exhausted }
        if typed == code { codeExpired = true; return .accepted }
        codeAttempts += 1
        return codeAttempts >= 5 ? .exhausted : .wrong(remaining: 5 - codeAttempts)
    }

    func contract(number: String) -> ContractSummary? { contracts[number] }

    func enrollments(phone: String) -> [EnrollmentSummary] {
        (enrolled[phone] ?? []).map { EnrollmentSummary(contractNumber: $0, maskedAddress: Masking.address(contracts[$0]!.address)) }
    }

    func enroll(_ request: EnrollmentRequest) -> EnrollmentOutcome {
        var list = enrolled[request.phone] ?? []
        if list.contains(request.contractNumber) { return .alreadyEnrolled }
        if list.count >= 4 { return .limitReached }
        list.append(request.contractNumber)
        enrolled[request.phone] = list
        return .enrolled
    }

    func removeEnrollment(phone: String, contractNumber: String) -> Bool {
        guard let index = enrolled[phone]?.firstIndex(of: contractNumber) else { return false }
        enrolled[phone]?.remove(at: index)
        return true
    }

    /// Bills per contract, newest first; `paid` per contract and period.
    var billAmounts: [String: [(period: String, amount: Int64)]] = [
        "10234567": [("noviembre de 2026", 242_900), ("octubre de 2026", 238_100)],
        "20345678": [("noviembre de 2026", 98_000)],
    ]
    var paid: [String: Int64] = ["10234567/octubre de 2026": 238_100]
    var today = CivilDate("2026-11-20")!

    func bills(contractNumber: String) -> ContractBills? {
        guard let contract = contracts[contractNumber] else { return nil }
        let bills = (billAmounts[contractNumber] ?? []).map { bill in
            BillSummary(
                period: bill.period, dueDate: "23 de noviembre de 2026",
                standing: BillStanding(amount: bill.amount, paid: paid["\(contractNumber)/\(bill.period)"] ?? 0, dueDate: CivilDate("2026-11-23"), today: today),
                pdfURL: "http://127.0.0.1:8080/facturas/token-\(contractNumber).pdf", filename: "factura-\(contractNumber).pdf"
            )
        }
        return ContractBills(contractNumber: contractNumber, maskedHolder: "Ma*** Re***", maskedAddress: Masking.address(contract.address),
                             payURL: "http://127.0.0.1:8080/factura/\(contractNumber)", bills: bills)
    }

    func pay(_ contractNumber: String, _ period: String, _ amount: Int64) { paid["\(contractNumber)/\(period)", default: 0] += amount }
    func setToday(_ date: CivilDate) { today = date }

    /// Cases filed, keyed by radicado, with their codes; ratings given.
    var filings: [CaseFiling] = []
    var cases: [String: (code: String, summary: CaseStatusSummary)] = [:]
    var ratings: [(radicado: String, score: Int, comment: String?)] = []
    var lookups = 0

    func fileCase(_ filing: CaseFiling) -> CaseFilingOutcome {
        if filing.type == .reclamo, filing.contractNumber == nil { return .rejected("Para este tipo de solicitud necesitamos el número de contrato.") }
        filings.append(filing)
        let radicado = Radicado(year: 2026, sequence: filings.count).text
        cases[radicado] = ("K7M2QX", CaseStatusSummary(radicado: radicado, typeTitle: filing.type.title, statusTitle: "Radicada, en estudio",
                                                        filedOn: "martes 1 de diciembre de 2026", dueOn: "miércoles 23 de diciembre de 2026",
                                                        decision: nil, answer: nil, answeredOn: nil, appealUntil: nil))
        return .filed(radicado: radicado, code: "K7M2QX", dueDate: "miércoles 23 de diciembre de 2026")
    }

    func caseStatus(radicado: String, code: String) -> CaseStatusSummary? {
        lookups += 1
        guard let found = cases[radicado], found.code == CaseAccessCode.normalize(code) else { return nil }
        return found.summary
    }

    func rateCase(radicado: String, score: Int, comment: String?) -> Bool {
        ratings.append((radicado, score, comment))
        return true
    }

    var damages: [DamageFiling] = []

    func reportDamage(_ filing: DamageFiling) -> String {
        damages.append(filing)
        return "DAN-2026-" + String(format: "%07d", damages.count)
    }

    /// Turns: three business days, four slots of two places each; `full` slots have none.
    var turnDays = ["2026-12-03", "2026-12-04", "2026-12-07"].compactMap { CivilDate($0) }
    var booked: [String: Int] = [:]
    var turns: [TurnTicket] = []
    var turnPhones: [String?] = []

    func turnAvailability(office: String) -> [TurnDay] {
        turnDays.map { day in
            TurnDay(day: day, slots: ["08:00", "11:30", "14:00", "16:30"].compactMap { time in
                let left = 2 - booked["\(office)|\(day)|\(time)", default: 0]
                return left > 0 ? TurnSlot(time: time, left: left) : nil
            })
        }
    }

    func bookTurn(office: String, day: CivilDate, time: String, phone: String?) -> TurnTicket? {
        let key = "\(office)|\(day)|\(time)"
        guard booked[key, default: 0] < 2 else { return nil }
        booked[key, default: 0] += 1
        let ticket = TurnTicket(code: "T-ABC23\(turns.count)", office: office, day: day, time: time)
        turns.append(ticket)
        turnPhones.append(phone)
        return ticket
    }

    func cancelTurn(code: String) -> TurnTicket? {
        guard let index = turns.firstIndex(where: { $0.code == code }) else { return nil }
        let ticket = turns.remove(at: index)
        booked["\(ticket.office)|\(ticket.day)|\(ticket.time)", default: 1] -= 1
        return ticket
    }

    func fill(office: String, day: String, time: String) { booked["\(office)|\(day)|\(time)"] = 2 }

    /// Live chats: the requests, what reached the advisor, who left, the ratings.
    var agentRequests: [AgentRequest] = []
    var agentMessages: [String] = []
    var agentStatus: AgentQueueStatus = .waiting(ahead: 2)
    var leftChats: [String] = []
    var chatRatings: [(chat: String, score: Int, comment: String?)] = []

    func requestAgent(_ request: AgentRequest) -> (chat: String, status: AgentQueueStatus) {
        agentRequests.append(request)
        return ("chat-\(agentRequests.count)", agentStatus)
    }

    func messageAgent(chat: String, text: String) -> AgentQueueStatus {
        agentMessages.append(text)
        return agentStatus
    }

    func leaveAgent(chat: String) -> Bool {
        leftChats.append(chat)
        if case .attending = agentStatus { return true }
        return false
    }

    func rateChat(chat: String, score: Int, comment: String?) -> Bool {
        chatRatings.append((chat, score, comment))
        return true
    }

    func setAgentStatus(_ status: AgentQueueStatus) { agentStatus = status }

    /// Data rights exercised, and what the next one answers.
    var dataRequests: [DataRightRequest] = []
    var nextReceipt = DataRightReceipt(code: "HD-2026-0000001")

    func exerciseDataRight(_ request: DataRightRequest) -> DataRightReceipt {
        dataRequests.append(request)
        return nextReceipt
    }

    func setReceipt(_ receipt: DataRightReceipt) { nextReceipt = receipt }

    func set(_ issue: CodeIssue) { nextIssue = issue }
    func expireCode() { codeExpired = true }
    func preEnroll(_ phone: String, _ numbers: [String]) { enrolled[phone] = numbers }
}

/// Drives a conversation like a customer would.
struct Conversation {
    let assistant: Assistant
    let effects = FakeEffects()
    var state: ConversationState
    var now: Date
    var replies: [Reply]

    init(channel: Channel = .web, senderPhone: String? = nil) {
        assistant = Assistant(knowledge: TestKnowledge.knowledge, classifier: TestKnowledge.classifier)
        now = Date(timeIntervalSince1970: 1_795_000_000)
        (state, replies) = assistant.start(id: "conv-1", channel: channel, now: now, senderPhone: senderPhone)
    }

    @discardableResult
    mutating func send(_ message: InboundMessage, after seconds: TimeInterval = 5) async throws -> [Reply] {
        now = now.addingTimeInterval(seconds)
        (state, replies) = try await assistant.handle(message, state: state, now: now, effects: effects)
        return replies
    }

    mutating func say(_ text: String, after seconds: TimeInterval = 5) async throws { try await send(.text(text), after: seconds) }
    mutating func pick(_ id: String) async throws { try await send(.choice(id)) }

    var text: String {
        replies.map { reply -> String in
            switch reply {
            case .text(let text): text
            case .choices(let text, let choices): text + " [" + choices.map(\.title).joined(separator: " | ") + "]"
            case .link(_, let title): title
            case .document(_, _, let caption): caption
            }
        }.joined(separator: "\n")
    }

    var choiceIDs: [String] {
        replies.flatMap { reply -> [String] in
            if case .choices(_, let choices) = reply { return choices.map(\.id) }
            return []
        }
    }

    /// Consent, terms, "Tu factura por WhatsApp" and "inscribir un contrato".
    mutating func reachPhoneQuestion() async throws {
        try await pick("consentimiento_si")
        try await pick("terminos_si")
        try await pick("menu_factura_whatsapp")
        try await pick("inscribir_contrato")
    }

    /// Up to the address question for a contract.
    mutating func reachAddress(_ contract: String = "10234567", phone: String = "300 123 4567") async throws {
        try await reachPhoneQuestion()
        try await say(phone)
        try await say("482913")
        if state.step == .askName { try await say("María Fernanda Restrepo") }
        try await say(contract)
    }

    mutating func pickRightAddress() async throws {
        try await pick(state.rightAddressID!)
    }
}

enum TestKnowledge {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let classifier: IntentClassifier = {
        let text = (try? String(contentsOf: root.appendingPathComponent("Resources/nlu/training.tsv"), encoding: .utf8)) ?? ""
        return IntentClassifier(examples: (try? IntentExample.parse(tsv: text)) ?? [])
    }()

    static let knowledge: AssistantKnowledge = {
        var knowledge = AssistantKnowledge(
        utilityName: "EPM", whatsAppLine: "302 3000 115",
        phoneLines: [("Línea gratuita en el Valle de Aburrá", "604 4444 115"), ("Línea gratuita nacional", "01 8000 415 115")],
        hours: [("Reporte de daños", "7x24"), ("Otros temas", "de 8:00 a. m. a 8:00 p. m.")],
        offices: [("Medellín", ["Oficina Miguel de Aguinaga, CL 44 52 165"]), ("Bello", ["Oficina Bello, CR 50 51 30"])],
        publicURL: "http://127.0.0.1:8080",
        privacy: LegalDocument(version: "2026-11", title: "Política de privacidad", text: "Texto de la política", sha256: "aa11", url: "http://127.0.0.1:8080/legal/privacidad"),
        terms: LegalDocument(version: "2026-11", title: "Términos y condiciones", text: "Texto de los términos", sha256: "bb22", url: "http://127.0.0.1:8080/legal/terminos")
        )
        knowledge.officeDirectory = [
            OfficeEntry(name: "Oficina Miguel de Aguinaga", municipality: "Medellín", address: "CL 44 52 165", hours: "Lunes a viernes de 7:30 a. m. a 5:30 p. m.", services: ["Pago de factura", "Turnos"], selfService: false),
            OfficeEntry(name: "Punto Fácil Envigado", municipality: "Medellín", address: "CR 43A 34 95", hours: "Lunes a sábado", services: ["Pago de factura"], selfService: true),
            OfficeEntry(name: "Oficina Bello", municipality: "Bello", address: "CR 50 51 30", hours: "Lunes a viernes de 7:30 a. m. a 5:30 p. m.", services: ["Pago de factura", "Turnos"], selfService: false),
            OfficeEntry(name: "Oficina Apartadó", municipality: "Apartadó", address: "CL 100 100 10", hours: "Lunes a viernes", services: [], selfService: false),
        ]
        knowledge.municipalityPoints = [
            MunicipalityPoint(name: "Medellín", latitude: 6.2518, longitude: -75.5636),
            MunicipalityPoint(name: "Bello", latitude: 6.3373, longitude: -75.5580),
            MunicipalityPoint(name: "Apartadó", latitude: 7.8829, longitude: -76.6254),
            MunicipalityPoint(name: "Turbo", latitude: 8.0926, longitude: -76.7280),
        ]
        return knowledge
    }()
}

@Suite("Conversation engine: enrollment to Tu factura por WhatsApp")
struct AssistantTests {
    @Test("The whole procedure, in the seed's order, ends with the contract enrolled and the rules stated")
    func happyPath() async throws {
        var chat = Conversation()
        #expect(chat.text.contains("Soy Ema"))
        #expect(chat.choiceIDs == ["consentimiento_si", "consentimiento_leer", "consentimiento_no"])
        try await chat.pick("consentimiento_si")
        #expect(chat.state.step == .terms)
        try await chat.pick("terminos_si")
        #expect(chat.state.step == .mainMenu)
        #expect(chat.choiceIDs.first == "menu_factura_whatsapp")
        try await chat.pick("menu_factura_whatsapp")
        #expect(chat.choiceIDs == ["inscribir_contrato", "ver_contratos", "eliminar_contrato", "menu"])
        try await chat.pick("inscribir_contrato")
        #expect(chat.state.step == .askPhone)
        try await chat.say("+57 300 123 4567")
        #expect(chat.text.contains("3 minutos"))
        #expect(await chat.effects.codesSent == ["+573001234567"])
        try await chat.say("482913")
        #expect(chat.state.step == .askName)
        try await chat.say("María Fernanda Restrepo")
        #expect(chat.state.step == .askContract)
        try await chat.say("10234567")
        #expect(chat.state.step == .confirmAddress)
        #expect(chat.text.contains("CL 50 # 45-**"))
        #expect(!chat.text.contains("AP 301"))
        try await chat.pickRightAddress()
        #expect(chat.state.step == .confirmEnrollment)
        try await chat.pick("confirmar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567"])
        for rule in ["hasta 4 contratos", "eliminar un contrato", "no tiene ningún costo", "factura impresa", "Factura Web"] {
            #expect(chat.text.contains(rule), "the confirmation should state «\(rule)»")
        }
        let consents = await chat.effects.consents
        #expect(consents.map(\.kind) == [.privacy, .terms])
        #expect(consents.allSatisfy { $0.granted && $0.version == "2026-11" && $0.channel == .web && $0.conversationID == "conv-1" })
        #expect(consents.map(\.textHash) == ["aa11", "bb22"])
    }

    @Test("Without authorization Ema cannot go on, says so kindly and names other channels")
    func consentRefused() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_no")
        #expect(chat.state.step == .consent)
        #expect(chat.text.contains("no puedo continuar"))
        #expect(chat.text.contains("604 4444 115"))
        #expect(await chat.effects.consents.map(\.granted) == [false])
        try await chat.pick("menu_factura_whatsapp")
        #expect(chat.state.step == .consent)
        try await chat.say("si")
        #expect(chat.state.step == .terms)
    }

    @Test("The policy and the terms can be read before deciding")
    func readDocuments() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_leer")
        #expect(chat.replies.contains(.link(url: "http://127.0.0.1:8080/legal/privacidad", title: "Leer el texto completo")))
        #expect(chat.state.step == .consent)
        try await chat.pick("consentimiento_si")
        try await chat.pick("terminos_leer")
        #expect(chat.text.contains("Texto de los términos"))
        try await chat.pick("terminos_no")
        #expect(chat.state.step == .terms)
        #expect(await chat.effects.consents.map(\.granted) == [true, false])
    }

    @Test("A number that is not a Colombian mobile is refused with an example")
    func badPhone() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        for bad in ["604 444 4115", "300123", "mi numero"] {
            try await chat.say(bad)
            #expect(chat.state.step == .askPhone)
            #expect(chat.text.contains("300 123 4567"))
        }
        #expect(await chat.effects.codesSent.isEmpty)
    }

    @Test("Wrong codes count down, then the code is dead until a new one is sent")
    func wrongCodes() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("111111")
        #expect(chat.text.contains("quedan 4 intentos"))
        try await chat.say("no me ha llegado")
        #expect(chat.text.contains("reenviártelo"))
        for _ in 0..<3 { try await chat.say("222222") }
        #expect(chat.text.contains("queda 1 intento"))
        try await chat.say("333333")
        #expect(chat.text.contains("se superaron los intentos"))
        try await chat.say("482913")
        #expect(chat.state.verifiedPhone == nil)
        try await chat.pick("reenviar_codigo")
        try await chat.say("482913")
        #expect(chat.state.verifiedPhone == "+573001234567")
    }

    @Test("An expired code, a resend too soon, the hourly limit and a failed SMS each get their own answer")
    func codeTroubles() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        await chat.effects.expireCode()
        try await chat.say("482913")
        #expect(chat.text.contains("venció"))
        await chat.effects.set(.wait(seconds: 42))
        try await chat.pick("reenviar_codigo")
        #expect(chat.text.contains("42 segundos"))
        await chat.effects.set(.hourlyLimit(retryAfterSeconds: 1_800))
        try await chat.pick("reenviar_codigo")
        #expect(chat.text.contains("máximo de 5 códigos"))
        #expect(chat.text.contains("30 minutos"))
        await chat.effects.set(.deviceLimit(retryAfterSeconds: 600))
        try await chat.pick("reenviar_codigo")
        #expect(chat.text.contains("desde esta conexión"))
        #expect(chat.text.contains("10 minutos"))
    }

    @Test("A name needs first and last names, letters only")
    func names() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("482913")
        for bad in ["Ana", "12345 678", "Ana <script>"] {
            try await chat.say(bad)
            #expect(chat.state.step == .askName)
        }
        try await chat.say("  Ana   María  López ")
        #expect(chat.state.holderName == "Ana María López")
    }

    @Test("Unknown, malformed and inactive contracts are named clearly")
    func contracts() async throws {
        var chat = Conversation()
        try await chat.reachAddress("99999999")
        #expect(chat.text.contains("No encontré el contrato 99999999"))
        #expect(chat.state.step == .askContract)
        try await chat.say("12AB")
        #expect(chat.text.contains("entre 4 y 12 dígitos"))
        try await chat.say("30456789")
        #expect(chat.text.contains("no está activo"))
        #expect(await chat.effects.enrolled.isEmpty)
    }

    @Test("The address is offered masked among decoys, the same each time; a wrong pick enrolls nothing")
    func addressRejected() async throws {
        var chat = Conversation()
        try await chat.reachAddress()
        let first = chat.state.addressChoices
        #expect(first.count == 3)
        #expect(first.filter { $0.title == "CL 50 # 45-**" }.count == 1)
        let wrong = first.first { $0.id != chat.state.rightAddressID }!.id
        try await chat.pick(wrong)
        #expect(chat.text.contains("no puedo inscribir este contrato"))
        #expect(chat.text.contains("oficinas"))
        #expect(await chat.effects.enrolled.isEmpty)
        try await chat.pick("inscribir_contrato")
        try await chat.say("10234567")
        #expect(chat.state.addressChoices == first)
        try await chat.pick("direccion_ninguna")
        #expect(await chat.effects.enrolled.isEmpty)
    }

    @Test("A fifth contract is refused, explaining the limit and offering to remove one")
    func fifthContract() async throws {
        var chat = Conversation()
        await chat.effects.preEnroll("+573001234567", ["20345678", "40567890", "50678901", "60789012"])
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("482913")
        #expect(chat.text.contains("máximo permitido"))
        #expect(chat.choiceIDs.contains("eliminar_contrato"))
        try await chat.pick("eliminar_contrato")
        #expect(chat.state.step == .chooseRemoval)
        try await chat.pick("eliminar:60789012")
        try await chat.pick("eliminar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["20345678", "40567890", "50678901"])
        try await chat.pick("inscribir_contrato")
        #expect(chat.text.contains("ya verificaste"))
        #expect(chat.state.step == .askName)
    }

    @Test("My contracts can be listed and removed, after verifying the number")
    func listAndRemove() async throws {
        var chat = Conversation()
        await chat.effects.preEnroll("+573001234567", ["10234567"])
        try await chat.pick("consentimiento_si")
        try await chat.pick("terminos_si")
        try await chat.say("que contratos tengo inscritos")
        #expect(chat.state.step == .askPhone)
        try await chat.say("3001234567")
        try await chat.say("482913")
        #expect(chat.text.contains("Contrato 10234567 — CL 50 # 45-**"))
        try await chat.pick("eliminar_contrato")
        try await chat.pick("eliminar:10234567")
        try await chat.pick("eliminar_no")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567"])
        try await chat.pick("eliminar_contrato")
        try await chat.say("1")
        try await chat.say("sí")
        #expect(await chat.effects.enrolled["+573001234567"] == [])
    }

    @Test("A number verified in this conversation is not asked again within 30 minutes")
    func verificationReuse() async throws {
        var chat = Conversation()
        try await chat.reachAddress()
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
        try await chat.pick("inscribir_contrato")
        #expect(chat.state.step == .askContract)
        try await chat.say("20345678")
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567", "20345678"])
        #expect(await chat.effects.codesSent.count == 1)
        try await chat.say("menu", after: 31 * 60 - 20)
        try await chat.pick("menu_factura_whatsapp", )
        try await chat.pick("inscribir_contrato")
        #expect(chat.state.step == .askPhone)
    }

    @Test("menú, cancelar and volver work at any step")
    func globalCommands() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("volver")
        #expect(chat.state.step == .askPhone)
        try await chat.say("Menú")
        #expect(chat.state.step == .mainMenu)
        try await chat.pick("menu_factura_whatsapp")
        try await chat.pick("inscribir_contrato")
        try await chat.say("cancelar")
        #expect(chat.state.step == .mainMenu)
        #expect(chat.text.contains("cancelé"))
    }

    @Test("Options can be picked by number or by their words")
    func pickByNumberOrWords() async throws {
        var chat = Conversation()
        try await chat.say("1")
        #expect(chat.state.step == .terms)
        try await chat.say("acepto")
        #expect(chat.state.step == .mainMenu)
        try await chat.say("1")
        #expect(chat.state.step == .enrollmentMenu)
        try await chat.say("inscribir un contrato")
        #expect(chat.state.step == .askPhone)
    }

    @Test("Free text finds its way: enrollment, damage with safety first, lines, and kindness when not understood")
    func freeText() async throws {
        var chat = Conversation()
        try await chat.pick("consentimiento_si")
        try await chat.pick("terminos_si")
        try await chat.say("huele mucho a gas en la cocina")
        #expect(chat.text.hasPrefix("⚠️"))
        #expect(chat.text.contains("604 4444 115"))
        try await chat.say("a que numero los llamo")
        #expect(chat.text.contains("01 8000 415 115"))
        try await chat.say("donde quedan las oficinas en bello")
        #expect(chat.text.contains("Oficina Bello: CR 50 51 30"))
        #expect(chat.text.contains("http://127.0.0.1:8080/oficinas"))
        try await chat.say("quien gano el partido ayer")
        #expect(chat.text.contains("no entendí"))
        #expect(chat.choiceIDs.first == "menu_factura_whatsapp")
        try await chat.say("quiero recibir la factura por wasap")
        #expect(chat.state.step == .askPhone)
    }

    @Test("Fifteen quiet minutes start the conversation over, keeping the authorization")
    func idle() async throws {
        var chat = Conversation()
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("hola", after: 16 * 60)
        #expect(chat.text.contains("empecemos de nuevo"))
        #expect(chat.state.step == .mainMenu)
        #expect(chat.state.privacyVersion == "2026-11")
    }

    @Test("The state survives a round trip through JSON, so a restart loses nothing")
    func persistence() async throws {
        var chat = Conversation()
        try await chat.reachAddress()
        let data = try JSONEncoder().encode(chat.state)
        let restored = try JSONDecoder().decode(ConversationState.self, from: data)
        #expect(restored == chat.state)
        chat.state = restored
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
        #expect(await chat.effects.enrolled["+573001234567"] == ["10234567"])
    }

    @Test("Replies encode as interfaces.md says")
    func replyJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(Reply.choices("¿Sí?", [Choice("a", "A")])), as: UTF8.self)
        #expect(text == #"{"choices":[{"id":"a","title":"A"}],"kind":"choices","text":"¿Sí?"}"#)
        let link = String(decoding: try encoder.encode(Reply.link(url: "u", title: "t")), as: UTF8.self)
        #expect(link == #"{"kind":"link","title":"t","url":"u"}"#)
        #expect(try JSONDecoder().decode(Reply.self, from: Data(text.utf8)) == .choices("¿Sí?", [Choice("a", "A")]))
    }
}
