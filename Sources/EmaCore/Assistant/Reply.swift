/// Where a conversation happens.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case web
    case kiosk
    case whatsapp
}

/// An option the customer can pick: by its id (a button), by its number, or by writing it.
public struct Choice: Codable, Sendable, Equatable {
    public let id: String
    public let title: String

    public init(_ id: String, _ title: String) {
        self.id = id
        self.title = title
    }
}

/// One thing Ema says. Each channel renders it its own way (interfaces.md, `Reply`).
public enum Reply: Sendable, Equatable {
    case text(String)
    case choices(String, [Choice])
    case document(url: String, filename: String, caption: String)
    case link(url: String, title: String)
}

extension Reply: Codable {
    enum CodingKeys: String, CodingKey { case kind, text, choices, url, filename, caption, title }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .kind)
            try container.encode(text, forKey: .text)
        case .choices(let text, let choices):
            try container.encode("choices", forKey: .kind)
            try container.encode(text, forKey: .text)
            try container.encode(choices, forKey: .choices)
        case .document(let url, let filename, let caption):
            try container.encode("document", forKey: .kind)
            try container.encode(url, forKey: .url)
            try container.encode(filename, forKey: .filename)
            try container.encode(caption, forKey: .caption)
        case .link(let url, let title):
            try container.encode("link", forKey: .kind)
            try container.encode(url, forKey: .url)
            try container.encode(title, forKey: .title)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "choices": self = .choices(try container.decode(String.self, forKey: .text), try container.decode([Choice].self, forKey: .choices))
        case "document": self = .document(url: try container.decode(String.self, forKey: .url), filename: try container.decode(String.self, forKey: .filename), caption: try container.decode(String.self, forKey: .caption))
        case "link": self = .link(url: try container.decode(String.self, forKey: .url), title: try container.decode(String.self, forKey: .title))
        case let kind: throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown reply kind \(kind)")
        }
    }
}

/// What the customer sent: a chosen option id, or text.
public struct InboundMessage: Sendable, Equatable {
    public var text: String?
    public var choice: String?
    /// A shared location (WhatsApp).
    public var location: GeoPoint?

    public init(text: String? = nil, choice: String? = nil, location: GeoPoint? = nil) {
        self.text = text
        self.choice = choice
        self.location = location
    }

    public static func text(_ text: String) -> InboundMessage { InboundMessage(text: text) }
    public static func choice(_ id: String) -> InboundMessage { InboundMessage(choice: id) }
}
