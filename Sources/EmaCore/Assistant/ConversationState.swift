import Foundation

/// Everything Ema remembers of one conversation between turns. Persisted as JSON after every
/// turn, so a restart loses nothing.
public struct ConversationState: Codable, Sendable, Equatable {
    public enum Step: String, Codable, Sendable {
        case consent
        case terms
        case mainMenu
        case enrollmentMenu
        case askPhone
        case askCode
        case askName
        case askContract
        case confirmAddress
        case confirmEnrollment
        case chooseRemoval
        case confirmRemoval
        case afterEnrollment
        case askBillContract
        case chooseBillContract
        case billActions
        case couponAmount
        case pqrType
        case pqrTopic
        case pqrContract
        case pqrParent
        case pqrDescription
        case pqrName
        case pqrPhone
        case pqrConfirm
        case requestDetail
        case promotionsAnswer
        case articleFeedback
        case askRadicado
        case askRadicadoCode
        case surveyComment
        case damageService
        case damagePlace
        case damageDescription
        case damagePhone
        case turnOffice
        case turnDay
        case turnPart
        case turnTime
        case turnCancelCode
        case turnCancelConfirm
        case withAgent
        case leaveMessage
        case leaveMessagePhone
        case dataMenu
        case dataUpdateMenu
        case dataName
        case dataNewPhone
        case dataCorrection
        case dataConfirm
    }

    /// One line of the recent conversation, for the advisor who takes it over.
    public struct Line: Codable, Sendable, Equatable {
        /// `cliente` or `ema`
        public let who: String
        public let text: String

        public init(who: String, text: String) {
            self.who = who
            self.text = text
        }
    }

    /// A turn being booked in the chat.
    public struct TurnDraft: Codable, Sendable, Equatable {
        public var office: String?
        /// `2026-12-03`
        public var day: String?
        /// The turn the customer asked to cancel, while Ema asks whether to.
        public var cancelCode: String?

        public init() {}
    }

    /// A damage report being gathered in the chat.
    public struct DamageDraft: Codable, Sendable, Equatable {
        public var service: DamageService?
        public var address: String?
        public var location: GeoPoint?
        public var description: String?
        public var hazard: String?

        public init() {}
    }

    /// A PQR being gathered in the chat.
    public struct PQRDraft: Codable, Sendable, Equatable {
        public var type: CaseType
        public var causal: String = CaseCatalog.unclassified
        public var contractNumber: String?
        public var parentRadicado: String?
        public var description: String?
        public var name: String?
        public var anonymous = false
        public var phone: String?
        /// A billing request (separación de cuentas, aporte voluntario): its kind from the start,
        /// the contract's services once known, and the request once its detail is given.
        public var requestKind: ServiceRequest.Kind?
        public var contractServices: [UtilityService]?
        public var request: ServiceRequest?

        public init(type: CaseType) {
            self.type = type
        }
    }

    /// What the customer wants of a bill.
    public enum BillAction: String, Codable, Sendable { case amount, copy, pay, coupon, agreement }

    /// What the customer was doing when a phone verification started.
    public enum Goal: String, Codable, Sendable { case enroll, list, remove, data }

    /// A request over the holder's personal data, and the holder's verified number once known.
    public struct DataRightDraft: Codable, Sendable, Equatable {
        public enum Action: String, Codable, Sendable { case conocer, nombre, numero, corregir, suprimir, revocar, promociones, sinPromociones = "sin_promociones" }

        public var action: Action
        public var holder: String?

        public init(action: Action) { self.action = action }
    }

    public var id: String
    public var channel: Channel
    public var step: Step = .consent
    public var lastActivity: Date
    /// Versions the customer accepted in this conversation.
    public var privacyVersion: String?
    public var termsVersion: String?
    /// True once Ema asked the policy and the terms together; a conversation stored before (its
    /// question was the policy alone) accepts the policy only with «sí», then is asked the terms.
    public var bothAsked: Bool?
    public var goal: Goal?
    /// On WhatsApp, the number that writes: offered as the number to receive the bill.
    public var senderPhone: String?
    public var phone: String?
    public var codeSentAt: Date?
    public var verifiedPhone: String?
    public var verifiedAt: Date?
    public var holderName: String?
    public var contractNumber: String?
    /// Address options offered (ids are positions), the right one's id kept apart.
    public var addressChoices: [Choice] = []
    public var rightAddressID: String?
    public var billAction: BillAction?
    /// The contract whose bills are being talked about.
    public var billContract: String?
    /// Contract numbers typed that did not exist, to stop a walk through the numbers.
    public var billMisses: Int?
    public var pqr: PQRDraft?
    /// How the contract being enrolled gets its bill outside Ema (to say what the holder keeps).
    public var contractChannels: [BillChannel]?
    /// What the message that started the procedure named (a contract, a radicado, an amount, a
    /// date), until the step that asks for it takes it.
    public var mentioned: MessageEntities?
    /// The article Ema just answered with, until the customer says whether it helped.
    public var articleSlug: String?
    public var damage: DamageDraft?
    /// The last report filed in this conversation for a hazard (gas, a fallen cable): its number,
    /// the hazard and when, so a second message about the same danger is not asked to file it again.
    public var filedHazard: FiledHazard?

    public struct FiledHazard: Codable, Sendable, Equatable {
        public var number: String
        public var hazard: String
        public var at: Date

        public init(number: String, hazard: String, at: Date) {
            self.number = number
            self.hazard = hazard
            self.at = at
        }
    }
    public var turn: TurnDraft?
    /// The live chat with an advisor this conversation is in, and a message being left for one.
    public var liveChat: String?
    public var dataRight: DataRightDraft?
    /// Set when the holder's data were suppressed: the server keeps nothing of this conversation.
    public var forget: Bool?
    public var agentMessage: String?
    /// The last lines said (at most `transcriptLength`), handed to an advisor.
    public var transcript: [Line] = []
    public static let transcriptLength = 30
    /// The radicado typed while looking a case up, and failed lookups in this conversation.
    public var radicadoTyped: String?
    public var radicadoMisses: Int?
    /// A queja answered and notified here: its radicado, until the customer rates it.
    public var pendingSurvey: String?
    public var surveyScore: Int?
    /// Whether this conversation needed an advisor or left a message unanswered (not contained).
    public var escalated: Bool?
    /// The furthest step reached of each funnel's attempt in progress (`UsageFunnel`).
    public var funnelSteps: [String: Int]?
    /// The options of the last message, so "2" or the option's words pick one.
    public var offered: [Choice] = []

    public init(id: String, channel: Channel, now: Date) {
        self.id = id
        self.channel = channel
        self.lastActivity = now
    }

    /// The same conversation from its start, remembering nothing but who writes on WhatsApp:
    /// after the holder revoked their authorization or had their data suppressed.
    public func startedOver(at now: Date) -> ConversationState {
        var fresh = ConversationState(id: id, channel: channel, now: now)
        fresh.senderPhone = senderPhone
        return fresh
    }
}
