@testable import EmaServer
import EmaCore
import Foundation
import Testing
import Vapor
import VaporTesting

/// The contract (`Resources/openapi.json`, served at `/openapi.json`) against the server: every
/// JSON route is in it and nothing else, and real answers — good and bad requests — have a
/// documented status and a body that fits the documented schema.
@Suite("OpenAPI: the document and the handlers agree")
struct OpenAPITests {
    nonisolated(unsafe) static let document: [String: Any] = {
        let data = FileManager.default.contents(atPath: "Resources/openapi.json") ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    /// The WebSocket of a conversation with an advisor is not an HTTP operation.
    static let undocumented: Set<String> = ["GET /api/v1/chat/sessions/{id}/live"]

    // MARK: A small JSON Schema check (what the document uses)

    static func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String else { return schema }
        let name = String(ref.dropFirst("#/components/schemas/".count))
        return ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    /// Problems of `value` against `schema`, with the path where each is.
    static func problems(_ value: Any, _ raw: [String: Any], at path: String = "$") -> [String] {
        let schema = resolve(raw)
        if let options = schema["oneOf"] as? [[String: Any]] {
            let fitting = options.filter { problems(value, $0, at: path).isEmpty }.count
            return fitting == 1 ? [] : ["\(path): fits \(fitting) of oneOf"]
        }
        if let constant = schema["const"], "\(JSONBool.unwrap(constant))" != "\(JSONBool.unwrap(value))" { return ["\(path): \(value) is not \(constant)"] }
        if let options = schema["enum"] as? [Any], !options.contains(where: { "\(JSONBool.unwrap($0))" == "\(JSONBool.unwrap(value))" || ($0 is NSNull && value is NSNull) }) { return ["\(path): \(value) not in enum"] }
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if !types.isEmpty {
            let actual: String
            switch value {
            case is NSNull: actual = "null"
            case is JSONBool: actual = "boolean"
            case let number as NSNumber: actual = number.doubleValue == number.doubleValue.rounded() ? "integer" : "number"
            case is String: actual = "string"
            case is [Any]: actual = "array"
            case is [String: Any]: actual = "object"
            default: actual = "unknown"
            }
            if !types.contains(actual), !(actual == "integer" && types.contains("number")) { return ["\(path): \(actual), expected \(types)"] }
        }
        var found: [String] = []
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path).\(key): missing") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, item) in object {
                if let property = properties[key] as? [String: Any] {
                    found += problems(item, property, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    found += problems(item, extra, at: "\(path).\(key)")
                } else if !properties.isEmpty {
                    found.append("\(path).\(key): not in the document")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { found += problems(item, items, at: "\(path)[\(index)]") }
        }
        return found
    }

    /// Checks one real answer against the document: its status is documented for the operation,
    /// and its JSON body fits that status's schema.
    static func check(_ method: String, _ template: String, _ response: TestingHTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        let operation = ((document["paths"] as? [String: Any])?[template] as? [String: Any])?[method.lowercased()] as? [String: Any]
        let responses = operation?["responses"] as? [String: Any] ?? [:]
        guard let documented = responses[String(response.status.code)] as? [String: Any] else {
            Issue.record("\(method) \(template) answered \(response.status.code), not documented (\(response.body.string.prefix(200)))", sourceLocation: sourceLocation)
            return
        }
        let content = documented["content"] as? [String: Any] ?? [:]
        guard let json = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] else { return }
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView)).plain else {
            Issue.record("\(method) \(template) \(response.status.code): the body is not JSON", sourceLocation: sourceLocation)
            return
        }
        let found = problems(body, json)
        #expect(found.isEmpty, "\(method) \(template) \(response.status.code): \(found)", sourceLocation: sourceLocation)
    }

    // MARK: Tests

    @Test("Every JSON route is documented, and every documented operation is a route; the document is served")
    func routesMatch() async throws {
        try await withEmaApp { app in
            var registered: Set<String> = []
            for route in app.routes.all {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                if path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || path == "/health" {
                    registered.insert("\(route.method.rawValue) \(path)")
                }
            }
            var documented: Set<String> = []
            for (path, item) in Self.document["paths"] as? [String: Any] ?? [:] {
                for method in (item as? [String: Any] ?? [:]).keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            #expect(registered.subtracting(Self.undocumented) == documented, "only routed: \(registered.subtracting(documented).subtracting(Self.undocumented)); only documented: \(documented.subtracting(registered))")
            #expect((Self.document["openapi"] as? String) == "3.1.0")
            try await app.testing().test(.GET, "openapi.json") { response in
                #expect(response.status == .ok && response.headers.contentType == .json)
                #expect(response.body.string.contains(#""operationId": "filePQR""#))
            }
        }
    }

    @Test("Answers, good and bad, are documented and fit their schema: chat, PQR, admin, health, webhooks")
    func answersFit() async throws {
        try await withEmaApp(configure: { $0.adminToken = Secret("t0ken-de-contrato") }) { app in
            _ = try await DemoData.load(into: app)
            let tester = try app.testing()
            let json: HTTPHeaders = ["Content-Type": "application/json"]
            var session = ""
            try await tester.test(.POST, "api/v1/chat/sessions", headers: json, body: ByteBuffer(string: "{}")) { response in
                Self.check("POST", "/api/v1/chat/sessions", response)
                session = (try? response.content.decode(ChatController.StartResponse.self))?.sessionId ?? ""
            }
            try await tester.test(.POST, "api/v1/chat/sessions", headers: json, body: ByteBuffer(string: #"{"channel":"fax"}"#)) { Self.check("POST", "/api/v1/chat/sessions", $0) }
            for body in [#"{"text":"quiero pagar mi factura"}"#, #"{"choice":"menu_factura"}"#, #"{"text":""}"#, "no es json"] {
                try await tester.test(.POST, "api/v1/chat/sessions/\(session)/messages", headers: json, body: ByteBuffer(string: body)) { Self.check("POST", "/api/v1/chat/sessions/{id}/messages", $0) }
            }
            try await tester.test(.POST, "api/v1/chat/sessions/no-existe/messages", headers: json, body: ByteBuffer(string: #"{"text":"hola"}"#)) { response in
                #expect(response.status == .notFound)
                Self.check("POST", "/api/v1/chat/sessions/{id}/messages", response)
            }

            var radicado = "", code = ""
            let filing = #"{"type":"queja","description":"El asesor de la oficina del centro no me quiso recibir los documentos.","name":"Ana María Restrepo","municipality":"Medellín","phone":"3001234567","idempotencyKey":"contrato-1"}"#
            try await tester.test(.POST, "api/v1/pqr", headers: json, body: ByteBuffer(string: filing)) { response in
                #expect(response.status == .created)
                Self.check("POST", "/api/v1/pqr", response)
                let filed = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                radicado = filed?["radicado"] as? String ?? ""
                code = filed?["code"] as? String ?? ""
            }
            for bad in [#"{"type":"chisme","description":"x"}"#, #"{"description":"sin tipo"}"#, #"{"type":"reclamo","description":"Cobro","contractNumber":"99999999"}"#] {
                try await tester.test(.POST, "api/v1/pqr", headers: json, body: ByteBuffer(string: bad)) { Self.check("POST", "/api/v1/pqr", $0) }
            }
            try await tester.test(.POST, "api/v1/pqr/consulta", headers: json, body: ByteBuffer(string: #"{"radicado":"\#(radicado)","code":"\#(code)"}"#)) { response in
                #expect(response.status == .ok)
                Self.check("POST", "/api/v1/pqr/consulta", response)
            }
            try await tester.test(.POST, "api/v1/pqr/consulta", headers: json, body: ByteBuffer(string: #"{"radicado":"\#(radicado)","code":"ZZZZZZ"}"#)) { Self.check("POST", "/api/v1/pqr/consulta", $0) }

            let admin: HTTPHeaders = ["Authorization": "Bearer t0ken-de-contrato"]
            for path in ["contracts/10234567", "contracts/55555555", "phones/+573001234567/enrollments", "deliveries?period=2026-11", "deliveries?period=noviembre"] {
                let template = path.hasPrefix("contracts") ? "/api/v1/admin/contracts/{number}" : path.hasPrefix("phones") ? "/api/v1/admin/phones/{phone}/enrollments" : "/api/v1/admin/deliveries"
                try await tester.test(.GET, "api/v1/admin/\(path)", headers: admin) { Self.check("GET", template, $0) }
                try await tester.test(.GET, "api/v1/admin/\(path)") { Self.check("GET", template, $0) }
            }
            try await tester.test(.GET, "health") { Self.check("GET", "/health", $0) }
            // A method a path does not take: 405 with what it takes; a path that does not exist: 404.
            for (method, path, allowed) in [(HTTPMethod.GET, "api/v1/pqr", "POST"), (.DELETE, "api/v1/chat/sessions/abc/messages", "POST"), (.PUT, "health", "GET")] {
                try await tester.test(method, path) { response in
                    #expect(response.status == .methodNotAllowed && response.headers.first(name: .allow) == allowed, "\(method) \(path)")
                    #expect(response.body.string.contains(#""code":"method_not_allowed""#))
                }
            }
            try await tester.test(.GET, "api/v1/nada") { #expect($0.status == .notFound) }
            try await tester.test(.POST, "pqr/consulta-que-no-existe") { #expect($0.status == .notFound) }
            // Webhooks whose providers this node lacks, or unsigned: documented refusals.
            try await tester.test(.POST, "webhooks/whatsapp", headers: json, body: ByteBuffer(string: "{}")) { Self.check("POST", "/webhooks/whatsapp", $0) }
            try await tester.test(.POST, "webhooks/wompi", headers: json, body: ByteBuffer(string: "{}")) { Self.check("POST", "/webhooks/wompi", $0) }
            try await tester.test(.GET, "webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1") { Self.check("GET", "/webhooks/whatsapp", $0) }
        }
        try await WhatsAppWebhookTests().withWhatsApp { app in
            var status = HTTPResponseStatus.ok
            let tester = try app.testing()
            let body = Webhook.text("hola")
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers.add(name: "X-Hub-Signature-256", value: "sha256=" + WebhookSignature.sign(body: Data(body.utf8), secret: WhatsAppWebhookTests.secret))
            try await tester.test(.POST, "webhooks/whatsapp", headers: headers, body: ByteBuffer(string: body)) { response in
                status = response.status
                Self.check("POST", "/webhooks/whatsapp", response)
            }
            #expect(status == .ok)
            try await tester.test(.POST, "webhooks/whatsapp", headers: ["Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00"], body: ByteBuffer(string: body)) {
                Self.check("POST", "/webhooks/whatsapp", $0)
            }
        }
    }
}

/// A JSON boolean as the check sees it (Foundation on Linux makes `true` an `NSNumber`).
struct JSONBool {
    let value: Bool

    /// `true`/`false` from the document or a body, as text to compare.
    static func unwrap(_ any: Any) -> Any {
        if let flag = any as? JSONBool { return flag.value }
        if let number = any as? NSNumber, String(describing: type(of: number)).contains("Bool") { return number.boolValue }
        return any
    }
}

/// A JSON value decoded strictly (a `1` is never a `true`), then as plain values.
enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var plain: Any {
        switch self {
        case .null: NSNull()
        case .bool(let flag): JSONBool(value: flag)
        case .number(let number): NSNumber(value: number)
        case .string(let text): text
        case .array(let items): items.map(\.plain)
        case .object(let fields): fields.mapValues(\.plain)
        }
    }
}
