import EmaCore
import Fluent
import Foundation
import Vapor

/// `/simulador`, in the demo: a phone-like page where one writes to Ema as any WhatsApp number.
/// It takes the production path: the server signs a real webhook and posts it over HTTP to
/// `/webhooks/whatsapp`; Ema's answers are read back from the sandbox outbox, with the number's
/// text messages (SMS).
struct SimulatorController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let simulator = routes.grouped("simulador")
        simulator.get(use: page)
        simulator.post("mensajes", use: send)
        simulator.get("conversacion", use: conversation)
    }

    /// The simulator exists only where the WhatsApp sandbox does: `--demo` or `EMA_SANDBOX=on`,
    /// and no WhatsApp configured (with a real app secret it would let anyone post as any
    /// number, and read real conversations).
    func guardDemo(_ request: Request) throws {
        guard request.application.whatsAppSandbox else { throw Abort(.notFound) }
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        /// Places to share as a location: the municipalities' centres.
        let places: [UtilityProfile.Point]
    }

    @Sendable
    func page(request: Request) async throws -> View {
        try guardDemo(request)
        return try await request.view.render("simulator", Page(title: "Simulador de WhatsApp · Ema", utility: try request.utility(), places: try request.utility().municipalityPoints ?? []))
    }

    struct Outgoing: Content {
        var phone: String
        var text: String?
        var choice: String?
        var title: String?
        var list: Bool?
        /// A location, as WhatsApp's 📎 → Ubicación sends it.
        var latitude: Double?
        var longitude: Double?
        var place: String?
    }

    /// Builds the webhook Meta would send for this message, signs it and posts it to Ema.
    @Sendable
    func send(request: Request) async throws -> HTTPStatus {
        try guardDemo(request)
        let message = try request.content.decode(Outgoing.self)
        guard let phone = ColombianMobile.e164(message.phone) else { throw Abort(.badRequest, reason: "Escribe un celular colombiano de 10 dígitos.") }
        let from = String(phone.dropFirst())
        let id = "wamid.simulador.\(UUID().uuidString)"
        let timestamp = Int(request.application.clock.now().timeIntervalSince1970)
        var body: [String: Any] = ["from": from, "id": id, "timestamp": String(timestamp)]
        if let choice = message.choice, !choice.isEmpty {
            let kind = message.list == true ? "list_reply" : "button_reply"
            body["type"] = "interactive"
            body["interactive"] = ["type": kind, kind: ["id": choice, "title": message.title ?? choice]]
        } else if let latitude = message.latitude, let longitude = message.longitude {
            guard GeoPoint(latitude: latitude, longitude: longitude) != nil else { throw Abort(.badRequest, reason: "Esa ubicación no es válida.") }
            body["type"] = "location"
            var location: [String: Any] = ["latitude": latitude, "longitude": longitude]
            if let place = message.place?.trimmingCharacters(in: .whitespaces), !place.isEmpty { location["name"] = String(place.prefix(200)) }
            body["location"] = location
        } else {
            let text = (message.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw Abort(.badRequest, reason: "Escribe un mensaje.") }
            body["type"] = "text"
            body["text"] = ["body": String(text.prefix(1_000))]
        }
        let envelope: [String: Any] = [
            "object": "whatsapp_business_account",
            "entry": [["id": "simulador", "changes": [["field": "messages", "value": [
                "messaging_product": "whatsapp",
                "metadata": ["display_phone_number": "573023000115", "phone_number_id": "simulador"],
                "contacts": [["profile": ["name": "Simulador"], "wa_id": from]],
                "messages": [body],
            ]]]]],
        ]
        let data = try JSONSerialization.data(withJSONObject: envelope)
        guard let address = request.application.http.server.shared.localAddress, let port = address.port else {
            throw Abort(.serviceUnavailable)
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: "X-Hub-Signature-256", value: "sha256=" + WebhookSignature.sign(body: data, secret: request.application.whatsAppSandboxSecret))
        let response = try await request.client.post(URI(string: "http://127.0.0.1:\(port)/webhooks/whatsapp"), headers: headers) { outgoing in
            outgoing.body = ByteBuffer(data: data)
        }
        return response.status
    }

    struct Item: Content {
        let who: String
        let text: String
        var buttons: [Choice]?
        var listButton: String?
        var list: [Choice]?
        var link: String?
        var linkTitle: String?
        var urlButton: Choice?
        let at: Double
    }

    struct Transcript: Content { let items: [Item] }

    /// Everything this number exchanged with Ema, oldest first.
    @Sendable
    func conversation(request: Request) async throws -> Transcript {
        try guardDemo(request)
        guard let phone = ColombianMobile.e164(request.query[String.self, at: "numero"] ?? "") else { return Transcript(items: []) }
        var items: [Item] = []
        for inbound in try await WhatsAppInbound.query(on: request.db).filter(\.$sender == phone).all() {
            guard let raw = try? JSONDecoder().decode(RawMessage.self, from: Data(inbound.payload.utf8)) else { continue }
            let location = raw.latitude.map { _ in "📍 Ubicación" + (raw.place.map { $0.isEmpty ? "" : ": " + $0 } ?? "") }
            let text = raw.choiceTitle ?? raw.text ?? location ?? "(\(raw.type))"
            items.append(Item(who: "cliente", text: text, at: inbound.receivedAt.timeIntervalSince1970))
        }
        for message in try await SandboxMessage.query(on: request.db).filter(\.$recipient == phone).all() {
            let at = message.createdAt.timeIntervalSince1970
            if message.channel == "sms" {
                items.append(Item(who: "sms", text: message.body, at: at))
            } else if let json = try? JSONSerialization.jsonObject(with: Data(message.body.utf8)) as? [String: Any] {
                items.append(Self.item(from: json, at: at, publicURL: request.application.emaConfig.publicURL))
            }
        }
        return Transcript(items: items.sorted { $0.at < $1.at })
    }

    /// Reads back a Graph API message body as the phone would show it.
    static func item(from message: [String: Any], at: Double, publicURL: String) -> Item {
        switch message["type"] as? String {
        case "template":
            return templateItem(message["template"] as? [String: Any] ?? [:], at: at, publicURL: publicURL)
        case "interactive":
            let interactive = message["interactive"] as? [String: Any] ?? [:]
            let text = (interactive["body"] as? [String: Any])?["text"] as? String ?? ""
            let action = interactive["action"] as? [String: Any] ?? [:]
            if interactive["type"] as? String == "button" {
                let buttons = (action["buttons"] as? [[String: Any]] ?? []).compactMap { button -> Choice? in
                    guard let reply = button["reply"] as? [String: Any], let id = reply["id"] as? String, let title = reply["title"] as? String else { return nil }
                    return Choice(id, title)
                }
                return Item(who: "ema", text: text, buttons: buttons, at: at)
            }
            let rows = ((action["sections"] as? [[String: Any]])?.first?["rows"] as? [[String: Any]] ?? []).compactMap { row -> Choice? in
                guard let id = row["id"] as? String, let title = row["title"] as? String else { return nil }
                return Choice(id, title)
            }
            return Item(who: "ema", text: text, listButton: action["button"] as? String, list: rows, at: at)
        case "document":
            let document = message["document"] as? [String: Any] ?? [:]
            return Item(who: "ema", text: document["caption"] as? String ?? "", link: document["link"] as? String, linkTitle: document["filename"] as? String, at: at)
        default:
            let text = (message["text"] as? [String: Any])?["body"] as? String ?? ""
            return Item(who: "ema", text: text, at: at)
        }
    }

    /// A template as the phone shows it: the PDF header, the approved text with its
    /// parameters, the URL button.
    static func templateItem(_ template: [String: Any], at: Double, publicURL: String) -> Item {
        let name = template["name"] as? String ?? ""
        let components = template["components"] as? [[String: Any]] ?? []
        func parameters(_ type: String) -> [[String: Any]] {
            components.first { $0["type"] as? String == type }?["parameters"] as? [[String: Any]] ?? []
        }
        let document = parameters("header").first?["document"] as? [String: Any]
        let values = parameters("body").compactMap { $0["text"] as? String }
        let suffix = parameters("button").first?["text"] as? String
        guard let approved = ApprovedTemplates.text(of: name, publicURL: publicURL) else {
            return Item(who: "ema", text: "(plantilla \(name)) " + values.joined(separator: " · "), at: at)
        }
        var item = Item(who: "ema", text: ApprovedTemplates.fill(approved.body, with: values),
                        link: document?["link"] as? String, linkTitle: document?["filename"] as? String, at: at)
        if let button = approved.urlButton, let suffix {
            item.urlButton = Choice(button.base + suffix, button.title)
        }
        return item
    }
}
