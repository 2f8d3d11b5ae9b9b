import Foundation

/// The JSON Meta posts to the webhook (field `messages`): inbound messages and statuses of the
/// messages Ema sent. Unknown fields are ignored; missing optional ones are nil.
struct WebhookPayload: Decodable {
    let object: String?
    let entry: [Entry]

    /// False when a message's sender is not a phone number (Meta sends the digits of an E.164
    /// number, 8 to 15 of them) or an id is not a plausible id: such a payload was not written
    /// by Meta and nothing of it is stored or answered.
    var isPlausible: Bool {
        let messages = entry.flatMap(\.changes).flatMap { $0.value.messages ?? [] }
        let statuses = entry.flatMap(\.changes).flatMap { $0.value.statuses ?? [] }
        return messages.allSatisfy { Self.isPhoneDigits($0.from) && Self.isPlausibleID($0.id) }
            && statuses.allSatisfy { Self.isPlausibleID($0.id) && ($0.recipient_id.map(Self.isPhoneDigits) ?? true) }
    }

    static func isPhoneDigits(_ text: String) -> Bool {
        (8...15).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isPlausibleID(_ text: String) -> Bool {
        (1...256).contains(text.utf8.count) && !InputGuardMiddleware.hasControlCharacters(text)
    }

    struct Entry: Decodable {
        let id: String?
        let changes: [Change]
    }

    struct Change: Decodable {
        let field: String?
        let value: Value
    }

    struct Value: Decodable {
        let contacts: [Contact]?
        let messages: [Message]?
        let statuses: [Status]?
    }

    struct Contact: Decodable {
        struct Profile: Decodable { let name: String? }
        let profile: Profile?
        let wa_id: String?
    }

    struct Message: Decodable {
        struct Text: Decodable { let body: String }
        struct Reply: Decodable { let id: String; let title: String? }
        struct Interactive: Decodable {
            let type: String
            let button_reply: Reply?
            let list_reply: Reply?
        }
        struct Button: Decodable { let payload: String?; let text: String? }
        struct Location: Decodable { let latitude: Double?; let longitude: Double?; let name: String?; let address: String? }

        let from: String
        let id: String
        let timestamp: String?
        let type: String
        let text: Text?
        let interactive: Interactive?
        let button: Button?
        let location: Location?
    }

    struct Status: Decodable {
        struct Failure: Decodable { let code: Int?; let title: String? }
        let id: String
        let status: String
        let timestamp: String?
        let recipient_id: String?
        let biz_opaque_callback_data: String?
        let errors: [Failure]?
    }
}
