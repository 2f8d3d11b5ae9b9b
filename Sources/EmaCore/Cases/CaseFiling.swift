import Foundation

/// A PQR as Ema gathers it in a conversation.
public struct CaseFiling: Sendable, Equatable {
    public var type: CaseType
    public var causal: String
    public var contractNumber: String?
    public var parentRadicado: String?
    public var description: String
    public var name: String?
    public var anonymous: Bool
    public var phone: String?
    public var channel: Channel
    public var conversationID: String
    /// A billing request filed as this petición.
    public var request: ServiceRequest?

    public init(type: CaseType, causal: String, contractNumber: String?, parentRadicado: String?, description: String,
                name: String?, anonymous: Bool, phone: String?, channel: Channel, conversationID: String, request: ServiceRequest? = nil) {
        self.type = type
        self.causal = causal
        self.contractNumber = contractNumber
        self.parentRadicado = parentRadicado
        self.description = description
        self.name = name
        self.anonymous = anonymous
        self.phone = phone
        self.channel = channel
        self.conversationID = conversationID
        self.request = request
    }
}

public enum CaseFilingOutcome: Sendable, Equatable {
    /// `dueDate` as a person reads it ("viernes 18 de diciembre de 2026").
    case filed(radicado: String, code: String, dueDate: String)
    /// Why it could not be filed, in the customer's words.
    case rejected(String)
}

/// What the customer may see of a case.
public struct CaseStatusSummary: Sendable, Equatable, Codable {
    public let radicado: String
    public let typeTitle: String
    public let statusTitle: String
    public let filedOn: String
    public let dueOn: String
    public let decision: String?
    public let answer: String?
    public let answeredOn: String?
    public let appealUntil: String?

    public init(radicado: String, typeTitle: String, statusTitle: String, filedOn: String, dueOn: String,
                decision: String?, answer: String?, answeredOn: String?, appealUntil: String?) {
        self.radicado = radicado
        self.typeTitle = typeTitle
        self.statusTitle = statusTitle
        self.filedOn = filedOn
        self.dueOn = dueOn
        self.decision = decision
        self.answer = answer
        self.answeredOn = answeredOn
        self.appealUntil = appealUntil
    }
}
