import Foundation

/// Everything a conversation step may do to the world. The server implements it over the
/// database and the SMS provider; tests use an in-memory fake.
public protocol AssistantEffects: Sendable {
    /// Counts what a turn did (`UsageEvent`), with the turn's state change.
    func recordUsage(_ events: [UsageEvent], channel: Channel, at: Date) async throws
    /// Keeps proof of an authorization or an acceptance (or of a refusal).
    func recordConsent(_ consent: ConsentEvidence) async throws
    /// Sends a verification code by SMS to an E.164 number.
    func sendCode(to phone: String) async throws -> CodeIssue
    /// Checks a code typed by the customer.
    func checkCode(phone: String, code: String) async throws -> OneTimeCodePolicy.CheckResult
    /// A contract by number, or nil when it does not exist.
    func contract(number: String) async throws -> ContractSummary?
    /// The active enrollments of a number.
    func enrollments(phone: String) async throws -> [EnrollmentSummary]
    /// Enrolls a contract to a number, enforcing the limit atomically.
    func enroll(_ request: EnrollmentRequest) async throws -> EnrollmentOutcome
    /// Ends an enrollment by the customer's choice; false when there was none.
    func removeEnrollment(phone: String, contractNumber: String) async throws -> Bool
    /// A contract's latest bills, newest first (empty when it has none); nil when the
    /// contract does not exist.
    func bills(contractNumber: String) async throws -> ContractBills?
    /// Makes a payment coupon of `amountCOP` of the contract's balance (nil: all of it), asked in
    /// `channel` (a conversation's channel: `web`, `kiosk`, `whatsapp`).
    func makeCoupon(contractNumber: String, amountCOP: Int64?, channel: String) async throws -> CouponOutcome
    /// The prepaid meters registered to `phone`, each with its latest recharges (newest first).
    func prepaidRecharges(phone: String) async throws -> [PrepaidMeterSummary]
    /// Stops the payment reminders of the number's enrollments (the bill still comes); returns
    /// how many enrollments had them on.
    func stopReminders(phone: String) async throws -> Int
    /// The payment plans a contract may choose, or why it may not have one.
    func agreementOffer(contractNumber: String) async throws -> AgreementOffer
    /// The knowledge base's article that best answers `text`, with how well it matched; nil when
    /// none matches at all.
    func findArticle(text: String) async throws -> ArticleAnswer?
    /// A customer's «¿Te sirvió?»; false when the article is gone.
    func rateArticle(slug: String, helpful: Bool, channel: String) async throws -> Bool
    /// Whether the number's latest answer to the promotions question was yes.
    func promotionsGranted(phone: String) async throws -> Bool
    /// Files a PQR and gives its radicado and access code, or why it cannot be filed.
    func fileCase(_ filing: CaseFiling) async throws -> CaseFilingOutcome
    /// The public status of a case, or nil when the radicado and the code do not match.
    func caseStatus(radicado: String, code: String) async throws -> CaseStatusSummary?
    /// The satisfaction rating of an answered queja; false when its survey is not open.
    func rateCase(radicado: String, score: Int, comment: String?) async throws -> Bool
    /// Records a damage report and gives its number.
    func reportDamage(_ filing: DamageFiling) async throws -> String
    /// An office's next business days, each with the slots that have places left.
    func turnAvailability(office: String) async throws -> [TurnDay]
    /// Books a turn; nil when the slot filled up meanwhile.
    func bookTurn(office: String, day: CivilDate, time: String, phone: String?) async throws -> TurnTicket?
    /// A booked turn still waiting, by its code (to ask before cancelling it); nil when none.
    func waitingTurn(code: String) async throws -> TurnTicket?
    /// Cancels a booked turn by its code; nil when there is no such turn waiting.
    func cancelTurn(code: String) async throws -> TurnTicket?
    /// Puts the conversation in the advisors' queue (or leaves a message when `request.message`
    /// is set): the live chat's id and where it stands. Asking twice gives the same chat.
    func requestAgent(_ request: AgentRequest) async throws -> (chat: String, status: AgentQueueStatus)
    /// Passes the customer's words to the advisor's side of a live chat.
    func messageAgent(chat: String, text: String) async throws -> AgentQueueStatus
    /// The customer leaves the chat; true when an advisor had attended it (then it is rated).
    func leaveAgent(chat: String) async throws -> Bool
    /// The customer's 1–5 rating of a live chat; false when it was rated already.
    func rateChat(chat: String, score: Int, comment: String?) async throws -> Bool
    /// A holder's right over their data, for a verified number: done, and filed as a request
    /// with its legal term.
    func exerciseDataRight(_ request: DataRightRequest) async throws -> DataRightReceipt
}

/// Thrown by the lookups of contracts, bills and radicados when the client (an address, a
/// WhatsApp number) made too many lately, across conversations and channels: the engine says
/// so, with the wait, and goes back to the menu.
public struct LookupLimited: Error, Sendable, Equatable {
    public let retryAfterSeconds: Int
    public init(retryAfterSeconds: Int) { self.retryAfterSeconds = retryAfterSeconds }
}

/// A contract's bills as Ema tells them: masked holder and address, and links to see and pay.
public struct ContractBills: Sendable, Equatable {
    public let contractNumber: String
    public let maskedHolder: String
    public let maskedAddress: String
    /// Factura Web's page of this contract.
    public let payURL: String
    public let bills: [BillSummary]

    public init(contractNumber: String, maskedHolder: String, maskedAddress: String, payURL: String, bills: [BillSummary]) {
        self.contractNumber = contractNumber
        self.maskedHolder = maskedHolder
        self.maskedAddress = maskedAddress
        self.payURL = payURL
        self.bills = bills
    }

    /// What is owed over the bills shown.
    public var totalBalance: Int64 { bills.reduce(0) { $0 + $1.standing.balance } }
}

public struct BillSummary: Sendable, Equatable {
    /// `noviembre de 2026`.
    public let period: String
    /// `23 de noviembre de 2026`.
    public let dueDate: String
    public let standing: BillStanding
    /// The PDF behind an expiring link, and the name to save it with.
    public let pdfURL: String
    public let filename: String

    public init(period: String, dueDate: String, standing: BillStanding, pdfURL: String, filename: String) {
        self.period = period
        self.dueDate = dueDate
        self.standing = standing
        self.pdfURL = pdfURL
        self.filename = filename
    }
}

public struct ConsentEvidence: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case privacy = "politica_datos", terms = "terminos"
        /// Promotions and news: asked apart, off by default, withdrawn in one message.
        case promotions = "promociones"
    }
    public let kind: Kind
    public let granted: Bool
    public let version: String
    /// SHA-256 (hex) of the exact text shown.
    public let textHash: String
    public let channel: Channel
    public let conversationID: String
    /// The verified number when known, otherwise nil (an anonymous web session).
    public let phone: String?
    public let at: Date

    public init(kind: Kind, granted: Bool, version: String, textHash: String, channel: Channel, conversationID: String, phone: String?, at: Date) {
        self.kind = kind
        self.granted = granted
        self.version = version
        self.textHash = textHash
        self.channel = channel
        self.conversationID = conversationID
        self.phone = phone
        self.at = at
    }
}

public enum CodeIssue: Sendable, Equatable {
    case sent
    case wait(seconds: Int)
    case hourlyLimit(retryAfterSeconds: Int)
    /// Too many codes asked from the same device or connection, whatever the numbers.
    case deviceLimit(retryAfterSeconds: Int)
    /// No SMS provider on this installation: codes cannot be sent at all.
    case unavailable
}

public struct ContractSummary: Sendable, Equatable {
    public let number: String
    public let address: String
    public let municipality: String
    public let active: Bool
    /// The services the contract has.
    public let services: [UtilityService]
    /// How the bill reaches the holder outside Ema.
    public let billChannels: [BillChannel]

    public init(number: String, address: String, municipality: String, active: Bool, services: [UtilityService] = [],
                billChannels: [BillChannel] = [.impresa]) {
        self.number = number
        self.address = address
        self.municipality = municipality
        self.active = active
        self.services = services
        self.billChannels = billChannels
    }
}

public struct EnrollmentSummary: Sendable, Equatable {
    public let contractNumber: String
    public let maskedAddress: String
    /// How the bill reaches the holder outside Ema.
    public let billChannels: [BillChannel]

    public init(contractNumber: String, maskedAddress: String, billChannels: [BillChannel] = [.impresa]) {
        self.contractNumber = contractNumber
        self.maskedAddress = maskedAddress
        self.billChannels = billChannels
    }
}

public struct EnrollmentRequest: Sendable, Equatable {
    public let phone: String
    public let contractNumber: String
    public let holderName: String
    public let channel: Channel

    public init(phone: String, contractNumber: String, holderName: String, channel: Channel) {
        self.phone = phone
        self.contractNumber = contractNumber
        self.holderName = holderName
        self.channel = channel
    }
}

public enum EnrollmentOutcome: Sendable, Equatable {
    case enrolled
    case alreadyEnrolled
    case limitReached
    case contractUnavailable
}

/// A versioned legal text shown to the customer (privacy policy, terms and conditions).
public struct LegalDocument: Sendable, Equatable {
    public let version: String
    public let title: String
    public let text: String
    /// SHA-256 (hex) of `text`, computed by whoever loads it.
    public let sha256: String
    /// Where the full text can be read.
    public let url: String
    /// What it says in a sentence or two, for the chat (the text's first paragraph when absent).
    public let summary: String

    public init(version: String, title: String, text: String, sha256: String, url: String, summary: String? = nil) {
        self.version = version
        self.title = title
        self.text = text
        self.sha256 = sha256
        self.url = url
        self.summary = summary ?? text.components(separatedBy: "\n\n").first.map { $0.replacingOccurrences(of: "\n", with: " ") } ?? ""
    }
}

/// What Ema knows about the utility to answer questions whose procedures live elsewhere.
public struct AssistantKnowledge: Sendable {
    public let utilityName: String
    public let whatsAppLine: String
    /// ("Línea gratuita en el Valle de Aburrá", "604 4444 115")
    public let phoneLines: [(name: String, number: String)]
    /// ("Reporte de daños", "7x24 …")
    public let hours: [(topic: String, schedule: String)]
    /// Municipality → office names and addresses, open ones only.
    public let offices: [(municipality: String, lines: [String])]
    public let publicURL: String
    public let privacy: LegalDocument
    public let terms: LegalDocument
    /// Every office and self-service point, and where the municipalities are.
    public var officeDirectory: [OfficeEntry] = []
    public var municipalityPoints: [MunicipalityPoint] = []
    public var advisorHours = AdvisorHours()
    /// The utility's coupon rules; nil when it makes no coupons.
    public var coupons: CouponPolicy?
    /// The voluntary contributions it takes; nil when it takes none.
    public var contributions: ContributionPolicy?
    /// Whether the paper bill goes on once enrolled on WhatsApp.
    public var paperBill = PaperBillPolicy()
    /// The optional authorization for promotions and news; nil: Ema does not ask it.
    public var promotions: LegalDocument?

    /// The first phone line's number, the one Ema names when something needs a person.
    public var mainLineNumber: String { phoneLines.first?.number ?? "" }
    /// The 24-hour line for damages (the main line answers them 7x24).
    public var damageLine: String { mainLineNumber }

    public init(
        utilityName: String, whatsAppLine: String, phoneLines: [(name: String, number: String)], hours: [(topic: String, schedule: String)],
        offices: [(municipality: String, lines: [String])], publicURL: String, privacy: LegalDocument, terms: LegalDocument
    ) {
        self.utilityName = utilityName
        self.whatsAppLine = whatsAppLine
        self.phoneLines = phoneLines
        self.hours = hours
        self.offices = offices
        self.publicURL = publicURL
        self.privacy = privacy
        self.terms = terms
    }
}

/// A prepaid meter and its latest recharges, as Ema tells them to the meter's registered mobile.
public struct PrepaidMeterSummary: Sendable, Equatable {
    public struct Recharge: Sendable, Equatable {
        /// `1 de diciembre de 2026, 7:31 a. m.`
        public let when: String
        public let amountCOP: Int64
        /// `24,0 kWh`
        public let units: String
        /// In groups of four.
        public let pin: String

        public init(when: String, amountCOP: Int64, units: String, pin: String) {
            self.when = when
            self.amountCOP = amountCOP
            self.units = units
            self.pin = pin
        }
    }

    public let meter: String
    /// `Energía prepago` or `Agua prepago`.
    public let service: String
    public let recharges: [Recharge]

    public init(meter: String, service: String, recharges: [Recharge]) {
        self.meter = meter
        self.service = service
        self.recharges = recharges
    }
}
