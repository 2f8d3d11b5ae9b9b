import EmaCore
import Foundation

/// Turns Ema's replies into Graph API message bodies, the best way WhatsApp's limits allow:
/// up to 3 short options as reply buttons (titles ≤ 20), up to 10 as a list (titles ≤ 24, the
/// full title in the row's description), more as numbered text (Ema understands the number).
enum WhatsAppRenderer {
    static func render(_ reply: Reply, to recipient: String) -> [String: Any] {
        var message: [String: Any] = ["messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient]
        switch reply {
        case .text(let text):
            message["type"] = "text"
            message["text"] = ["body": clip(text, 4_096), "preview_url": false]
        case .link(let url, let title):
            message["type"] = "text"
            message["text"] = ["body": clip("\(title): \(url)", 4_096), "preview_url": true]
        case .document(let url, let filename, let caption):
            message["type"] = "document"
            message["document"] = ["link": url, "filename": filename, "caption": clip(caption, 1_024)]
        case .choices(let text, let choices):
            if choices.count <= 3, choices.allSatisfy({ $0.title.count <= 20 }) {
                message["type"] = "interactive"
                message["interactive"] = [
                    "type": "button",
                    "body": ["text": clip(text, 1_024)],
                    "action": ["buttons": choices.map { ["type": "reply", "reply": ["id": $0.id, "title": $0.title]] }],
                ]
            } else if choices.count <= 10 {
                message["type"] = "interactive"
                message["interactive"] = [
                    "type": "list",
                    "body": ["text": clip(text, 1_024)],
                    "action": [
                        "button": "Ver opciones",
                        "sections": [[
                            "title": "Opciones",
                            "rows": choices.map { choice -> [String: String] in
                                var row = ["id": choice.id, "title": clip(choice.title, 24)]
                                if choice.title.count > 24 { row["description"] = clip(choice.title, 72) }
                                return row
                            },
                        ]],
                    ],
                ]
            } else {
                let numbered = choices.enumerated().map { "\($0.offset + 1). \($0.element.title)" }.joined(separator: "\n")
                message["type"] = "text"
                message["text"] = ["body": clip("\(text)\n\n\(numbered)\n\nResponde con el número de la opción.", 4_096), "preview_url": false]
            }
        }
        return message
    }

    /// Cuts text to a limit, ending with "…" when cut.
    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A readable version of a rendered message, for the sandbox outbox and the simulator.
    static func readable(_ message: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
