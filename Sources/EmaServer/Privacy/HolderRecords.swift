import EmaCore
import Fluent
import Foundation
import SQLKit

/// Whose data: the number, and the conversations with Ema that name it, found once per request
/// (a search through every conversation's state) and handed to each capability.
struct Holder: Sendable {
    let phone: String
    let conversations: [Conversation]

    /// The conversations' ids, and the number's WhatsApp one even when it is gone already.
    var conversationIDs: [String] { Array(Set(conversations.compactMap(\.id) + ["wa:" + phone])) }

    static func find(_ phone: String, on database: any Database) async throws -> Holder {
        Holder(phone: phone, conversations: try await AssistantHolderRecords.conversations(of: phone, on: database))
    }
}

/// What one capability holds about the holder of a phone number (Ley 1581): a copy of it for
/// the right to know, and how it forgets it for the right to suppress. Each capability
/// answers for its own tables (`Billing+Holder.swift`, `Cases+Holder.swift`, ...); the privacy
/// service only walks the list, so no capability reaches into another's tables.
protocol HolderRecords: Sendable {
    /// The section's title in the holder's copy.
    var title: String { get }
    /// What the capability holds on the number, one line per record, in Spanish.
    func copy(of holder: Holder, on database: any Database) async throws -> [HolderCopy.Entry]
    /// Deletes what no legal duty keeps and anonymises the rest; `keep` is the conversation in
    /// course (the engine forgets it itself when the turn ends). Returns the rows touched.
    func suppress(_ holder: Holder, keeping conversation: String?, at now: Date, on database: any Database) async throws -> Int
}

/// The copy of a holder's data: sections of entries, each a label and its details.
struct HolderCopy: Codable, Sendable {
    struct Entry: Codable, Sendable, Equatable {
        var label: String
        var details: [String]
    }

    struct Section: Codable, Sendable {
        var title: String
        var entries: [Entry]
    }

    var phone: String
    var madeAt: Date
    var sections: [Section]
}

/// The capabilities that hold personal data, in the order of the copy.
enum HolderRegistry {
    static let all: [any HolderRecords] = [
        BillingHolderRecords(), AssistantHolderRecords(), LiveChatHolderRecords(), CaseHolderRecords(), OfficeHolderRecords(),
        DamageHolderRecords(), SurveyHolderRecords(), DataRequestHolderRecords(), OutreachHolderRecords(), ChannelHolderRecords(),
    ]
}

/// "por la web", "por WhatsApp", "en el quiosco".
func byChannel(_ channel: String) -> String {
    switch channel {
    case "web": "por la web"
    case "whatsapp": "por WhatsApp"
    case "kiosk": "en el quiosco"
    case "sms": "por SMS"
    default: "por \(channel)"
    }
}

/// What replaces a number or a name that had to stay in a record kept by law.
enum Erased {
    static let text = "suprimido"
}

extension Date {
    /// "2 de diciembre de 2026, 10:05 a. m.", in Bogotá.
    var bogotaStamp: String {
        SpanishDateTime.format(self)
    }
}
