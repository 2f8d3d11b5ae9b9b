import EmaCore
import Foundation
import Testing

/// An in-memory world for the conversation engine.
actor FakeEffects: AssistantEffects {
    var consents: [ConsentEvidence] = []
    var contracts: [String: ContractSummary] = [
        "10234567": ContractSummary(number: "10234567", address: "CL 50 45 12 AP 301", municipality: "Medellín", active: true, services: [.energia, .agua, .gas]),
        "20345678": ContractSummary(number: "20345678", address: "CR 43A 1 50", municipality: "Itagüí", active: true, services: [.energia]),
        "30456789": ContractSummary(number: "30456789", address: "TV 32 75 20", municipality: "Bello", active: false),
        "40567890": ContractSummary(number: "40567890", address: "DG 55 34 10", municipality: "Envigado", active: true, billChannels: [.correo]),
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

    var usage: [UsageEvent] = []

    func recordUsage(_ events: [UsageEvent], channel: Channel, at: Date) { usage += events }

    var articles: [ArticleEntry] = [
        ArticleEntry(slug: "factura-alta", title: "¿Por qué me llegó más alta la factura?",
                     questions: ["por qué me llegó tan cara la factura", "la factura vino muy alta"], body: "Más días, más consumo, una fuga o un promedio."),
        ArticleEntry(slug: "tarjeta-somos", title: "La tarjeta SOMOS", questions: ["cómo funciona la tarjeta somos", "qué es somos"],
                     body: "El programa de beneficios: compras a cuotas en la factura."),
    ]
    var articleRatings: [(slug: String, helpful: Bool)] = []

    func findArticle(text: String) -> ArticleAnswer? {
        guard let match = ArticleIndex(articles).search(text, limit: 1).first, let entry = articles.first(where: { $0.slug == match.slug }) else { return nil }
        return ArticleAnswer(slug: entry.slug, title: entry.title, shortAnswer: "Respuesta corta de \(entry.slug).", url: "https://ema.example/ayuda/\(entry.slug)", score: match.score)
    }

    func rateArticle(slug: String, helpful: Bool, channel: String) -> Bool {
        articleRatings.append((slug, helpful))
        return true
    }

    func promotionsGranted(phone: String) -> Bool {
        consents.last { $0.kind == .promotions && $0.phone == phone }?.granted ?? false
    }

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
        (enrolled[phone] ?? []).map { EnrollmentSummary(contractNumber: $0, maskedAddress: Masking.address(contracts[$0]!.address), billChannels: contracts[$0]!.billChannels) }
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

    /// Coupons made: contract, amount, channel.
    var coupons: [(contract: String, amount: Int64, channel: String)] = []
    var couponsLimited = false

    func makeCoupon(contractNumber: String, amountCOP: Int64?, channel: String) -> CouponOutcome {
        guard let policy = TestKnowledge.knowledge.coupons else { return .unavailable }
        if couponsLimited { return .limited(retryAfterSeconds: 3_000) }
        let balance = bills(contractNumber: contractNumber)?.totalBalance ?? 0
        let amount = amountCOP ?? balance
        if let problem = policy.check(amount: amount, balance: balance) { return .refused(problem) }
        coupons.append((contractNumber, amount, channel))
        let reference = "0000\(contractNumber)1234567\(coupons.count)"
        return .made(CouponSummary(reference: reference, amountCOP: amount, validUntil: policy.validUntil(today: today), partial: amount < balance,
                                   pdfURL: "http://127.0.0.1:8080/factura/cupon/\(reference)/cupon.pdf", pageURL: "http://127.0.0.1:8080/factura/cupon/\(reference)"))
    }

    func setCouponsLimited() { couponsLimited = true }

    /// Prepaid meters by registered mobile.
    var prepaid: [String: [PrepaidMeterSummary]] = [:]
    func setPrepaid(_ phone: String, _ meters: [PrepaidMeterSummary]) { prepaid[phone] = meters }
    func prepaidRecharges(phone: String) -> [PrepaidMeterSummary] { prepaid[phone] ?? [] }

    /// Numbers that stopped their reminders.
    var remindersStopped: [String] = []

    func stopReminders(phone: String) -> Int {
        guard !(enrolled[phone] ?? []).isEmpty, !remindersStopped.contains(phone) else { return 0 }
        remindersStopped.append(phone)
        return enrolled[phone]!.count
    }

    /// Plans offered per contract (none: «sin facturas vencidas»).
    var agreementPolicy = AgreementPolicy(downPaymentPercent: 20, monthlyInterestPercent: 1.5, usuryCeilingAnnualPercent: 25.02,
                                          maxInstalments: ["hogares": 12], minimumBalanceCOP: 100_000, maximumBalanceCOP: 20_000_000)

    func agreementOffer(contractNumber: String) -> AgreementOffer {
        let balance = bills(contractNumber: contractNumber)?.totalBalance ?? 0
        let overdue = today > CivilDate("2026-11-23")! ? balance : 0
        if let reason = agreementPolicy.eligibility(balance: balance, overdue: overdue, segment: .hogares, active: true, inForce: nil) {
            return .ineligible(reason.message)
        }
        return .plans(agreementPolicy.choices(for: .hogares).map { agreementPolicy.plan(balance: balance, instalments: $0) }, overdue: overdue,
                      url: "http://127.0.0.1:8080/factura/\(contractNumber)/acuerdo")
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

    func waitingTurn(code: String) -> TurnTicket? { turns.first { $0.code == code } }

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
    var assistant: Assistant
    let effects = FakeEffects()
    var state: ConversationState
    var now: Date
    var replies: [Reply]

    init(channel: Channel = .web, senderPhone: String? = nil) {
        assistant = Assistant(knowledge: TestKnowledge.knowledge, classifier: TestKnowledge.classifier)
        now = Date(timeIntervalSince1970: 1_795_000_000)
        (state, replies) = assistant.start(id: "conv-1", channel: channel, now: now, senderPhone: senderPhone)
    }

    /// The same conversation, with what Ema knows changed from here on.
    mutating func knowing(_ change: (inout AssistantKnowledge) -> Void) {
        var knowledge = TestKnowledge.knowledge
        change(&knowledge)
        assistant = Assistant(knowledge: knowledge, classifier: TestKnowledge.classifier)
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
        knowledge.coupons = CouponPolicy(minimumCOP: 10_000, validDays: 10, collectorGLN: "7707181000005")
        knowledge.promotions = LegalDocument(version: "2026-12", title: "Promociones", text: "Texto de promociones.", sha256: "cc33",
                                             url: "https://ema.example/legal/promociones", summary: "opcional y aparte")
        knowledge.contributions = ContributionPolicy(minimumCOP: 1_000, maximumCOP: 1_000_000, purpose: "subsidios de los hogares de menores ingresos")
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
