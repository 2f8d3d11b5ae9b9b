import Foundation

/// The JSON Meta posts to the webhook (field `messages`): inbound messages and statuses of the
/// messages Ema sent. Unknown fields are ignored; missing optional ones are nil.
struct WebhookPayload: Decodable {
    let object: String?
    let entry: [Entry]

    /// The payload without the messages and statuses Meta did not write: a sender that is not a
    /// phone number (Meta sends the digits of an E.164 number, 8 to 15 of them) or an id that is
    /// not a plausible id. Those are neither stored nor answered; the rest of the batch is.
    func plausible() -> (payload: WebhookPayload, dropped: Int) {
        var dropped = 0
        let entries = entry.map { entry in
            Entry(id: entry.id, changes: entry.changes.map { change in
                let messages = change.value.messages?.filter { Self.isPhoneDigits($0.from) && Self.isPlausibleID($0.id) }
                let statuses = change.value.statuses?.filter { Self.isPlausibleID($0.id) && ($0.recipient_id.map(Self.isPhoneDigits) ?? true) }
                dropped += (change.value.messages?.count ?? 0) - (messages?.count ?? 0) + (change.value.statuses?.count ?? 0) - (statuses?.count ?? 0)
                return Change(field: change.field, value: Value(contacts: change.value.contacts, messages: messages, statuses: statuses))
            })
        }
        return (WebhookPayload(object: object, entry: entries), dropped)
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
