import Foundation

/// What a PQR must be before Ema looks anything up (the contract, the bill, the contested
/// case): the checks that need no database, in the order a person fixes them, and the request's
/// fields cleaned. `CaseService` runs them first and then the ones that read.
public struct CaseIntake: Sendable, Equatable {
    public enum Problem: Error, Sendable, Equatable {
        case descriptionLength, nameRequired, anonymousNotAllowed(CaseType), invalidPhone, invalidEmail
        case unknownCausal, unknownService, tooManyAttachments, unknownMunicipality
        /// A reclamo or a recurso names the contract it is about.
        case contractRequired
        /// The page asked for the place, and neither a contract nor a municipality gives it.
        case placeRequired
    }

    /// What the request says, as typed.
    public struct Request: Sendable {
        public var type: CaseType
        public var description: String
        public var anonymous: Bool
        public var name: String?
        public var phone: String?
        public var email: String?
        public var causal: String?
        public var service: String?
        public var municipality: String?
        public var contractNumber: String?
        public var attachments: Int
        public var requiresPlace: Bool

        public init(type: CaseType, description: String, anonymous: Bool, name: String?, phone: String?, email: String?, causal: String?,
                    service: String?, municipality: String?, contractNumber: String?, attachments: Int, requiresPlace: Bool) {
            (self.type, self.description, self.anonymous, self.name, self.phone, self.email) = (type, description, anonymous, name, phone, email)
            (self.causal, self.service, self.municipality, self.contractNumber) = (causal, service, municipality, contractNumber)
            (self.attachments, self.requiresPlace) = (attachments, requiresPlace)
        }
    }

    public static let descriptionLength = 10...5_000
    public static let maxAttachments = 5

    public let description: String
    /// Up to 120 characters; empty for an anonymous case.
    public let name: String
    /// In E.164.
    public let phone: String?
    public let email: String?
    /// As the utility names it (`municipalities`), when one was chosen.
    public let municipality: String?
    /// The contract number typed (not yet looked up): nil when none was given.
    public let contractNumber: String?

    /// Checks `request`; `municipalities` are the ones a case may name (empty accepts any).
    public init(_ request: Request, municipalities: [String]) throws(Problem) {
        description = request.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.descriptionLength.contains(description.count) else { throw .descriptionLength }
        let name = request.name?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120).description ?? ""
        if request.anonymous {
            guard request.type.allowsAnonymous else { throw .anonymousNotAllowed(request.type) }
        } else if name.count < 3 {
            throw .nameRequired
        }
        self.name = request.anonymous ? "" : name
        phone = try Self.nonEmpty(request.phone).map { typed throws(Problem) in
            guard let e164 = ColombianMobile.e164(typed) else { throw .invalidPhone }
            return e164
        }
        email = try Self.nonEmpty(request.email).map { typed throws(Problem) in
            guard Self.looksLikeEmail(typed) else { throw .invalidEmail }
            return typed.lowercased()
        }
        if let causal = request.causal, causal != CaseCatalog.unclassified, CaseCatalog.causal(causal) == nil { throw .unknownCausal }
        if let service = request.service, UtilityService(rawValue: service) == nil { throw .unknownService }
        guard request.attachments <= Self.maxAttachments else { throw .tooManyAttachments }
        var municipality = Self.nonEmpty(request.municipality)
        if let chosen = municipality, !municipalities.isEmpty {
            guard let known = municipalities.first(where: { $0.compare(chosen, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame }) else {
                throw .unknownMunicipality
            }
            municipality = known
        }
        self.municipality = municipality
        contractNumber = Self.nonEmpty(request.contractNumber)
        if contractNumber == nil {
            if request.type == .reclamo || request.type.isRecurso { throw .contractRequired }
            if request.requiresPlace, municipality == nil { throw .placeRequired }
        }
    }

    /// A case about the service (a contract, a reclamo or recurso, a causal chosen) has the
    /// public-services term; any other, the general one.
    public static func serviceRelated(_ type: CaseType, hasContract: Bool, causal: String?) -> Bool {
        hasContract || type == .reclamo || type.isRecurso || (causal.map { $0 != CaseCatalog.unclassified } ?? false)
    }

    public static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 120 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
