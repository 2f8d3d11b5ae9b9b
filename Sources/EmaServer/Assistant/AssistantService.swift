import EmaCore
import Fluent
import Foundation
import Vapor

/// The conversation engine's effects over Ema's database (a turn's transaction): nothing here
/// leaves the machine directly; SMS go through `SMSOutbox`, WhatsApp through its outbox.
struct AssistantService: AssistantEffects {
    let database: any Database
    /// Over the same database.
    let smsOutbox: SMSOutbox
    let clock: AppClock
    let utilityName: String
    /// Base of the links Ema gives (bill PDFs, Factura Web).
    let publicURL: String
    /// Who is asking (the client's address, or the WhatsApp sender), to cap codes per
    /// connection (a toll-fraud bot can rotate numbers, not as easily addresses) and contract
    /// and radicado lookups across conversations and channels.
    var client: String?
    /// The conversation asking, when it is one: a verification code it asks for is its own.
    var conversation: String?
    /// The limits in the database; without them (tests of one effect) nothing is limited.
    var limits: RateLimiter?
    /// Verification codes one client may ask for in an hour (`EMA_CODES_PER_CLIENT_HOUR`).
    var codesPerClient = RateLimit("codigos.cliente", limit: 15, window: 3_600)
    var caseService: CaseService?
    var turnService: TurnService?
    var liveChats: LiveChatService?
    /// Holds a number's WhatsApp turn lock while its data are suppressed from another channel.
    var whatsApp: WhatsAppService?
    /// The privacy policy in force: a revocation refuses it in the consent ledger.
    var privacy: LegalDocument?
    /// The utility's coupon rules; nil: no coupons.
    var coupons: CouponPolicy?
    /// The utility's agreement policy; nil: none offered online.
    var agreements: AgreementPolicy?
    /// The knowledge base's index, shared by the node (Knowledge).
    var articles: ArticleCache?

    var verification: VerificationService {
        VerificationService(database: database, outbox: smsOutbox, clock: clock, utilityName: utilityName, requester: conversation ?? client ?? "")
    }

    var enrollmentService: EnrollmentService {
        EnrollmentService(database: database, clock: clock)
    }

    func recordUsage(_ events: [UsageEvent], channel: EmaCore.Channel, at date: Date) async throws {
        try await AssistantUsage.record(events, channel: channel, at: date, on: database)
    }

    func recordConsent(_ consent: ConsentEvidence) async throws {
        try await ConsentRecord.record(consent, on: database)
    }

    func sendCode(to phone: String) async throws -> CodeIssue {
        // One statement counts the ask and checks it: a code asked for and not sent (the number's
        // own limits, the provider) counts as well, which a guesser cannot turn to advantage.
        if let client, let limits, let wait = try await limits.take(codesPerClient, client) {
            return .deviceLimit(retryAfterSeconds: wait)
        }
        switch try await verification.issue(to: phone) {
        case .sent:
            return .sent
        case .wait(let seconds): return .wait(seconds: seconds)
        case .hourlyLimit(let seconds): return .hourlyLimit(retryAfterSeconds: seconds)
        case .unavailable: return .unavailable
        }
    }

    func checkCode(phone: String, code: String) async throws -> OneTimeCodePolicy.CheckResult {
        try await verification.check(phone: phone, code: code)
    }

    /// Counts a contract lookup against the limits Factura Web shares; throws `LookupLimited`.
    /// A WhatsApp number (the client is the sender, `+57…`) enrolled on the contract is its
    /// holder: others reading the contract never lock it out.
    func admitLookup(_ number: String) async throws {
        guard let limits else { return }
        let client = client ?? "desconocido"
        var byHolder = false
        if client.hasPrefix("+") { byHolder = try await enrollmentService.active(phone: client).contains { $0.contractNumber == number } }
        if let wait = try await ContractLookups(limits: limits).admit(client: client, contract: number, byHolder: byHolder) {
            throw LookupLimited(retryAfterSeconds: wait)
        }
    }

    func contract(number: String) async throws -> ContractSummary? {
        try await admitLookup(number)
        guard let contract = try await ContractDirectory(database: database).contract(number: number) else { return nil }
        return ContractSummary(number: contract.contractNumber, address: contract.address, municipality: contract.municipality,
                               active: contract.status == ContractStatus.activo.rawValue, services: contract.serviceList,
                               billChannels: contract.billChannelList)
    }

    func enrollments(phone: String) async throws -> [EnrollmentSummary] {
        try await enrollmentService.active(phone: phone)
    }

    func enroll(_ request: EnrollmentRequest) async throws -> EnrollmentOutcome {
        try await enrollmentService.enroll(request)
    }

    func removeEnrollment(phone: String, contractNumber: String) async throws -> Bool {
        try await enrollmentService.remove(phone: phone, contractNumber: contractNumber)
    }

    func bills(contractNumber: String) async throws -> ContractBills? {
        try await admitLookup(contractNumber)
        return try await FacturaWebBills(database: database, clock: clock, publicURL: publicURL).bills(contractNumber: contractNumber)
    }

    func makeCoupon(contractNumber: String, amountCOP: Int64?, channel: String) async throws -> CouponOutcome {
        try await admitLookup(contractNumber)
        guard let limits else { return .unavailable }
        let service = CouponService(database: database, clock: clock, policy: coupons, limits: limits)
        do {
            switch try await service.make(contractNumber: contractNumber, amountCOP: amountCOP, channel: channel, key: "chat-" + SecureRandom.hex(12)) {
            case .refused(let problem): return .refused(problem)
            case .made(let coupon, _, let balance):
                return .made(CouponSummary(
                    reference: coupon.reference, amountCOP: coupon.amountCOP, validUntil: CivilDate(coupon.validUntil) ?? clock.today,
                    partial: coupon.amountCOP < balance,
                    pdfURL: "\(publicURL)/factura/cupon/\(coupon.reference)/cupon.pdf", pageURL: "\(publicURL)/factura/cupon/\(coupon.reference)"))
            }
        } catch CouponService.Failure.tooMany(let wait) {
            return .limited(retryAfterSeconds: wait)
        } catch CouponService.Failure.unavailable, CouponService.Failure.contractNotFound {
            return .unavailable
        }
    }

    func prepaidRecharges(phone: String) async throws -> [PrepaidMeterSummary] {
        let store = PrepaidStore(database: database)
        var meters: [PrepaidMeterSummary] = []
        for meter in try await store.meters(mobile: phone) {
            // A WhatsApp conversation's client is its sender's number; the web's, an address.
            let channel = client?.hasPrefix("+") == true ? EmaCore.Channel.whatsapp : .web
            try await PrepaidPinViews.record(meter: meter.id, channel: channel.rawValue, at: clock.now(), on: database)
            meters.append(PrepaidMeterSummary(
                meter: meter.number, service: meter.service == .energia ? "Energía prepago" : "Agua prepago",
                recharges: try await store.recharges(of: meter, limit: 3).map {
                    .init(when: PrepaidController.readable($0.at), amountCOP: $0.amountCOP, units: PrepaidController.units($0.units, meter.service),
                          pin: PrepaidController.grouped($0.pin))
                }))
        }
        return meters
    }

    func stopReminders(phone: String) async throws -> Int {
        try await ReminderService.stop(phone: phone, now: clock.now(), on: database)
    }

    func agreementOffer(contractNumber: String) async throws -> AgreementOffer {
        try await admitLookup(contractNumber)
        let service = AgreementService(database: database, clock: clock, policy: agreements, coupons: coupons)
        do {
            let offer = try await service.offer(contractNumber: contractNumber)
            return .plans(offer.plans, overdue: offer.debt.overdue, url: "\(publicURL)/factura/\(contractNumber)/acuerdo")
        } catch AgreementService.Failure.ineligible(let reason) {
            return .ineligible(reason.message)
        } catch AgreementService.Failure.unavailable, AgreementService.Failure.contractNotFound {
            return .unavailable
        }
    }

    func findArticle(text: String) async throws -> ArticleAnswer? {
        try await KnowledgeBase(database: database, cache: articles, publicURL: publicURL).answer(text)
    }

    func rateArticle(slug: String, helpful: Bool, channel: String) async throws -> Bool {
        try await Articles.feedback(slug: slug, helpful: helpful, channel: channel, at: clock.now(), on: database)
    }

    func promotionsGranted(phone: String) async throws -> Bool {
        try await ConsentLedger(database: database).promotionsGranted(phone: phone)
    }

    func fileCase(_ filing: CaseFiling) async throws -> CaseFilingOutcome {
        guard let caseService else { return .rejected("Ahora no puedo radicar solicitudes. Llámanos a la línea de atención.") }
        if let limits, let wait = try await limits.take(PQRWebController.filingsPerClient, client ?? "desconocido") {
            return .rejected("Por seguridad, desde esta conexión ya se radicaron varias solicitudes en la última hora. Podrás radicar otra en \(SpanishDuration.wait(seconds: wait)), o llamarnos a la línea de atención.")
        }
        var draft = CaseDraft(type: filing.type, channel: CaseChannel(filing.channel), description: filing.description)
        draft.causal = filing.causal
        draft.contractNumber = filing.contractNumber
        draft.parentRadicado = filing.parentRadicado
        draft.anonymous = filing.anonymous
        draft.name = filing.name
        draft.phone = filing.phone
        draft.request = filing.request
        do {
            let filed = try await caseService.file(draft)
            return .filed(radicado: filed.radicado, code: filed.code, dueDate: filed.dueOn.nameWithWeekday)
        } catch let error as CaseError {
            return .rejected(error.reason)
        }
    }

    func caseStatus(radicado: String, code: String) async throws -> CaseStatusSummary? {
        guard let caseService, let limits else { return nil }
        do {
            return try await CaseLookups(limits: limits).lookup(caseService, radicado: radicado, code: code, client: client ?? "desconocido")
                .map(CaseStatusSummary.init)
        } catch PlatformError.rateLimited(let seconds) {
            throw LookupLimited(retryAfterSeconds: seconds)
        }
    }

    func rateCase(radicado: String, score: Int, comment: String?) async throws -> Bool {
        guard let caseService, let row = try await caseService.find(radicado: radicado) else { return false }
        do {
            try await caseService.rate(row, score: score, comment: comment)
            return true
        } catch is CaseError {
            return false
        }
    }

    func reportDamage(_ filing: DamageFiling) async throws -> String {
        try await DamageReportService(database: database, clock: clock).report(filing)
    }

    func turnAvailability(office: String) async throws -> [TurnDay] {
        guard let turnService, turnService.offices.contains(office) else { return [] }
        var days: [TurnDay] = []
        for day in turnService.days {
            let left = try await turnService.remaining(office: office, day: day.description)
            days.append(TurnDay(day: day, slots: TurnService.slots.compactMap { slot in left[slot].flatMap { $0 > 0 ? TurnSlot(time: slot, left: $0) : nil } }))
        }
        return days
    }

    func bookTurn(office: String, day: CivilDate, time: String, phone: String?) async throws -> TurnTicket? {
        guard let turnService else { return nil }
        do {
            return TurnTicket(try await turnService.book(office: office, day: day.description, slot: time, phone: phone))
        } catch is TurnError {
            return nil
        }
    }

    func waitingTurn(code: String) async throws -> TurnTicket? {
        try await turnService?.waiting(code: code).flatMap(TurnTicket.init)
    }

    func cancelTurn(code: String) async throws -> TurnTicket? {
        guard let turnService else { return nil }
        do {
            return TurnTicket(try await turnService.cancel(code: code))
        } catch is TurnError {
            return nil
        }
    }
}

extension AssistantService {
    func requestAgent(_ request: AgentRequest) async throws -> (chat: String, status: AgentQueueStatus) {
        guard let liveChats else { return ("", .ended) }
        return try await liveChats.request(request)
    }

    func messageAgent(chat: String, text: String) async throws -> AgentQueueStatus {
        try await liveChats?.customerMessage(chat: chat, text: text) ?? .ended
    }

    func leaveAgent(chat: String) async throws -> Bool {
        try await liveChats?.customerLeaves(chat: chat) ?? false
    }

    func rateChat(chat: String, score: Int, comment: String?) async throws -> Bool {
        try await liveChats?.rate(chat: chat, score: score, comment: comment) ?? false
    }

    func exerciseDataRight(_ request: DataRightRequest) async throws -> DataRightReceipt {
        let service = DataRightsService(database: database, clock: clock, publicURL: publicURL, privacy: privacy)
        var receipt: DataRightReceipt
        if request.action == .suppress, request.channel != .whatsapp, let whatsApp {
            // A WhatsApp turn of the same number must not write after the suppression: take its
            // turn lock (on WhatsApp the suppression runs inside that turn already).
            receipt = try await whatsApp.whileHolding(request.phone) { try await service.exercise(request) }
        } else {
            receipt = try await service.exercise(request)
        }
        // A kiosk's screen is shared: the copy's link goes to the holder's phone instead.
        if request.channel == .kiosk, let link = receipt.link {
            try await smsOutbox.queue("\(utilityName): la copia de tus datos personales (solicitud \(receipt.code)) está en \(link) durante 7 días.",
                                      to: request.phone, purpose: "copia-datos")
            receipt.link = nil
        }
        return receipt
    }
}

extension TurnTicket {
    init?(_ turn: OfficeTurn) {
        guard let day = CivilDate(turn.day) else { return nil }
        self.init(code: turn.code, office: turn.office, day: day, time: turn.slot)
    }
}
