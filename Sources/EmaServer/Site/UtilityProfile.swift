import EmaCore
import Foundation
import Vapor

/// Who the utility is and how customers reach it: name, phone lines, hours, offices. Read from
/// `Resources/utility.json`, which the utility edits; a bad file stops the start with the reason.
public struct UtilityProfile: Codable, Sendable {
    public struct PhoneLine: Codable, Sendable {
        public let name: String
        public let number: String
    }

    public struct Hours: Codable, Sendable {
        public let topic: String
        public let schedule: String
    }

    public struct Office: Codable, Sendable {
        public let name: String
        public let municipality: String
        public let address: String
        public let hours: String
        /// `oficina` (attended by staff) or `punto_facil` (self-service point).
        public let kind: String
        public let services: [String]
        public let open: Bool
        /// People attended per half-hour slot, for offices that give turns (4 when absent).
        public var turnCapacity: Int?
    }

    public struct WhatsAppLine: Codable, Sendable {
        public let display: String
        public let e164: String
    }

    public let shortName: String
    public let legalName: String
    public let assistantName: String
    public let website: String
    public let whatsApp: WhatsAppLine
    public let phoneLines: [PhoneLine]
    public let hours: [Hours]
    public let offices: [Office]

    /// Each office's municipality, by the office's name (turns and surveys keep only the name).
    var municipalityOfOffice: [String: String] {
        Dictionary(offices.map { ($0.name, $0.municipality) }) { first, _ in first }
    }
    /// Where each municipality is (its centre), to find the offices nearest a shared location.
    public var municipalityPoints: [Point]?
    /// When advisors answer the chat, every day (Bogotá time); 08:00–20:00 when absent.
    public var advisorHours: AdvisorHoursEntry?
    /// Ready-made answers the advisors insert in a chat.
    public var advisorReplies: [AdvisorReply]?
    /// Payment coupons and partial payments; without it, no coupon is made («no disponible»).
    public var coupons: CouponPolicy?
    /// Payment agreements («alternativas de pago»); without it, none is offered online.
    public var agreements: AgreementPolicy?
    /// Payment reminders on WhatsApp; without it, none is sent.
    public var reminders: Reminders?
    /// Voluntary contributions added to the next bill; without it, none is taken.
    public var contributions: ContributionPolicy?
    /// Whether the paper bill goes on for contracts enrolled on WhatsApp; absent: it does, as
    /// the terms say.
    public var paperBill: PaperBillPolicy?
    /// The SOMOS card's restructuring rules; without them, none is offered.
    public var somos: Somos?
    /// The contact centre's service-level threshold; 20 s when absent.
    public var phone: Phone?
    /// How often the periodic survey goes out.
    public var surveys: Surveys?

    public struct Surveys: Codable, Sendable {
        /// Months between campaigns (1–12).
        public let campaignEveryMonths: Int
    }

    /// The areas suggestions are routed to; without them, suggestions stay with the PQR desk.
    public var suggestionAreas: [SuggestionArea]?

    public struct Phone: Codable, Sendable {
        /// A call answered within this many seconds is answered in time (1–600).
        public let serviceLevelSeconds: Int
    }

    /// The rules the indicators are computed and written with.
    var indicatorRules: IndicatorRules {
        IndicatorRules(phoneThreshold: phone.map { TimeInterval($0.serviceLevelSeconds) } ?? PhoneIndicators.defaultThreshold)
    }

    /// A contact-centre line code (`4444115`, `018000415115`, `#376`) → the line's name as
    /// published (`Línea gratuita nacional`): the published number ends with the code's digits.
    func phoneLineName(_ code: String) -> String? {
        let digits = code.filter(\.isNumber)
        guard !digits.isEmpty else { return nil }
        return phoneLines.first { $0.number.filter(\.isNumber).hasSuffix(digits) }.map { "\($0.name) (\($0.number))" }
    }

    public struct Somos: Codable, Sendable {
        public var restructuring: SomosRestructuringPolicy?
    }

    public struct Reminders: Codable, Sendable {
        /// Days before the due date (1–10).
        public let daysBefore: Int
    }

    public struct AdvisorHoursEntry: Codable, Sendable {
        public let opens: String
        public let closes: String
    }

    /// A ready-made reply of the advisors. `known`, when given, is said instead once the
    /// conversation already names the customer's contract (`{contrato}` stands for it): the
    /// advisor does not ask for what Ema already knows.
    public struct AdvisorReply: Codable, Sendable {
        public let title: String
        public let text: String
        public var known: String?

        /// The reply as it fits this conversation.
        func text(contract: String?) -> String {
            guard let contract, let known else { return text }
            return known.replacingOccurrences(of: "{contrato}", with: contract)
        }
    }

    public struct Point: Codable, Sendable {
        public let name: String
        public let latitude: Double
        public let longitude: Double
    }

    public static func load(from path: String) throws -> UtilityProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UtilityProfileError("No se encontró \(path): Ema necesita el perfil de la empresa (nombre, líneas, horarios, oficinas).")
        }
        do {
            let profile = try JSONDecoder().decode(UtilityProfile.self, from: data)
            if let office = profile.offices.first(where: { ($0.turnCapacity ?? 1) < 1 }) {
                throw UtilityProfileError("El archivo \(path) no es válido: «turnCapacity» de \(office.name) debe ser 1 o más personas por media hora.")
            }
            if let seconds = profile.phone?.serviceLevelSeconds, !(1...600).contains(seconds) {
                throw UtilityProfileError("El archivo \(path) no es válido: phone.serviceLevelSeconds debe estar entre 1 y 600 segundos.")
            }
            if let months = profile.surveys?.campaignEveryMonths, !(1...12).contains(months) {
                throw UtilityProfileError("El archivo \(path) no es válido: surveys.campaignEveryMonths debe estar entre 1 y 12 meses.")
            }
            if let problem = SuggestionArea.problem(profile.suggestionAreas ?? []) {
                throw UtilityProfileError("El archivo \(path) no es válido: \(problem).")
            }
            if let days = profile.reminders?.daysBefore, !(1...10).contains(days) {
                throw UtilityProfileError("El archivo \(path) no es válido: reminders.daysBefore debe estar entre 1 y 10 días.")
            }
            if let problem = profile.coupons?.problem ?? profile.agreements?.problem ?? profile.contributions?.problem ?? profile.somos?.restructuring?.problem {
                throw UtilityProfileError("El archivo \(path) no es válido: \(problem).")
            }
            return profile
        } catch let error as UtilityProfileError {
            throw error
        } catch {
            throw UtilityProfileError("El archivo \(path) no es válido: \(error)")
        }
    }
}

struct UtilityProfileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Application {
    private struct UtilityProfileKey: StorageKey { typealias Value = UtilityProfile }

    /// The utility this installation serves.
    public var utilityProfile: UtilityProfile? {
        get { storage[UtilityProfileKey.self] }
        set { storage[UtilityProfileKey.self] = newValue }
    }
}

extension Request {
    /// The utility, for pages that cannot be drawn without it (`configure` loads it).
    func utility() throws -> UtilityProfile {
        guard let utility = application.utilityProfile else { throw Abort(.internalServerError) }
        return utility
    }
}
