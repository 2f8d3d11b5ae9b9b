import Foundation

/// An approved template message: the only kind WhatsApp lets a business send outside the
/// 24-hour window (the monthly bill is one: a utility template with the PDF as its header).
struct WhatsAppTemplate: Sendable, Equatable {
    struct Document: Sendable, Equatable {
        let link: String
        let filename: String
    }

    let name: String
    /// e.g. `es_CO`.
    let language: String
    var headerDocument: Document?
    /// Positional body parameters, `{{1}}`, `{{2}}`…
    var bodyParameters: [String] = []
    /// The dynamic suffix of a URL button (index 0), if the template has one.
    var urlButtonSuffix: String?
    /// Echoed by Meta in every status of this message (`biz_opaque_callback_data`, ≤ 512).
    var callbackData: String?

    /// The Graph API body for this template to `recipient`.
    func message(to recipient: String) -> [String: Any] {
        var components: [[String: Any]] = []
        if let document = headerDocument {
            components.append(["type": "header", "parameters": [["type": "document", "document": ["link": document.link, "filename": document.filename]]]])
        }
        if !bodyParameters.isEmpty {
            components.append(["type": "body", "parameters": bodyParameters.map { ["type": "text", "text": $0] }])
        }
        if let suffix = urlButtonSuffix {
            components.append(["type": "button", "sub_type": "url", "index": "0", "parameters": [["type": "text", "text": suffix]]])
        }
        var message: [String: Any] = [
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient, "type": "template",
            "template": ["name": name, "language": ["code": language], "components": components],
        ]
        if let callbackData { message["biz_opaque_callback_data"] = String(callbackData.prefix(512)) }
        return message
    }
}

extension WhatsAppTemplate {
    /// The same body as `message(to:)`, written straight to JSON text (keys sorted, as
    /// `WhatsAppRenderer.readable` writes them): the monthly dispatch writes a million of them,
    /// and going through `[String: Any]` and `JSONSerialization` costs most of its time.
    func json(to recipient: String) -> String {
        func string(_ value: String) -> String {
            var out = "\""
            out.reserveCapacity(value.utf8.count + 2)
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        var components: [String] = []
        if let document = headerDocument {
            components.append(#"{"parameters":[{"document":{"filename":\#(string(document.filename)),"link":\#(string(document.link))},"type":"document"}],"type":"header"}"#)
        }
        if !bodyParameters.isEmpty {
            let parameters = bodyParameters.map { #"{"text":\#(string($0)),"type":"text"}"# }.joined(separator: ",")
            components.append(#"{"parameters":[\#(parameters)],"type":"body"}"#)
        }
        if let suffix = urlButtonSuffix {
            components.append(#"{"index":"0","parameters":[{"text":\#(string(suffix)),"type":"text"}],"sub_type":"url","type":"button"}"#)
        }
        let callback = callbackData.map { #""biz_opaque_callback_data":\#(string(String($0.prefix(512)))),"# } ?? ""
        return #"{\#(callback)"messaging_product":"whatsapp","recipient_type":"individual","template":{"components":[\#(components.joined(separator: ","))],"language":{"code":\#(string(language))},"name":\#(string(name))},"to":\#(string(recipient)),"type":"template"}"#
    }
}

extension WhatsAppService {
    /// Queues a template for a number; templates may go outside the 24-hour window.
    @discardableResult
    func queueTemplate(_ template: WhatsAppTemplate, to recipient: String) async throws -> UUID {
        try await queue([template.message(to: recipient)], to: recipient, isTemplate: true)[0]
    }
}
