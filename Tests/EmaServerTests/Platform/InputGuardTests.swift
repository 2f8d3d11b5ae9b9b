@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting
import NIOPosix

@Suite("Input that is cut or passed through")
struct InputGuardTests {
    @Test("A NUL byte or another control character in a form, JSON or query is refused with a clear message; nothing is stored")
    func controlCharacters() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let tester = try app.testing()
            let description = "abc\u{0}def: la factura llegó con un cobro que no reconozco y necesito revisarlo."
            try await tester.test(.POST, "pqr", beforeRequest: { request in
                try request.content.encode(["tipo": "peticion", "descripcion": description, "municipio": "Medellín", "nombre": "Ana Restrepo"], as: .urlEncodedForm)
            }) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("caracteres de control"))
            }
            try await tester.test(.POST, "api/v1/pqr", beforeRequest: { request in
                try request.content.encode(["type": "peticion", "description": description, "municipality": "Medellín"])
            }) { response in
                #expect(response.status == .badRequest)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "control_characters")
            }
            // An escape sequence is a control character too.
            try await tester.test(.POST, "api/v1/chat/sessions", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: #"{"channel": "web\u001b[2J"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await tester.test(.GET, "factura?contrato=10234567%00") { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await PQRCase.query(on: app.db).count() == 0)
            // Line breaks and tabs are text: a description with them is filed.
            try await tester.test(.POST, "api/v1/pqr", beforeRequest: { request in
                try request.content.encode(["type": "peticion", "description": "Primera línea.\nSegunda línea,\tcon detalle del cobro que no reconozco.", "municipality": "Medellín", "name": "Ana Restrepo"])
            }) { response in
                #expect(response.status == .created, "\(response.body.string)")
            }
        }
    }

    @Test("In a multipart form, text fields are checked and files are not")
    func multipart() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            /// `asFile`: the description sent as if it were a file, which the decoder still reads as text.
            /// `field`: the attachments' field name, bare or indexed as Vapor's own encoder writes it.
            func post(description: String, asFile: Bool = false, field: String = "adjuntos") async throws -> String {
                let boundary = "----ema-prueba"
                var body = ""
                for (name, value) in [("tipo", "peticion"), ("descripcion", description), ("municipio", "Medellín"), ("nombre", "Ana Restrepo")] {
                    let file = asFile && name == "descripcion" ? "; filename=\"nota.txt\"" : ""
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(file)\r\n\r\n\(value)\r\n"
                }
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"recibo.png\"\r\nContent-Type: image/png\r\n\r\n"
                var buffer = ByteBuffer(string: body)
                buffer.writeBytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D])
                buffer.writeString("\r\n--\(boundary)--\r\n")
                var page = ""
                try await app.testing().test(.POST, "pqr", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: buffer) { page = "\($0.status.code) \($0.body.string)" }
                return page
            }
            let refused = try await post(description: "abc\u{0}def: la factura llegó con un cobro que no reconozco.")
            #expect(refused.hasPrefix("400") && refused.contains("caracteres de control"))
            let disguised = try await post(description: "abc\u{0}def: la factura llegó con un cobro que no reconozco.", asFile: true)
            #expect(disguised.hasPrefix("400") && disguised.contains("caracteres de control"))
            #expect(try await PQRCase.query(on: app.db).count() == 0)
            // The PNG's own NUL bytes are not text: the filing goes on to its usual checks.
            for field in ["adjuntos[]", "adjuntos[0]"] {
                let filed = try await post(description: "La factura llegó con un cobro que no reconozco; adjunto el recibo.", field: field)
                #expect(filed.hasPrefix("200") && filed.contains("radicado"), "\(field)")
            }
            #expect(try await PQRCase.query(on: app.db).count() == 2)
            // A text field named like a file field's index is not a file field.
            let lookalike = try await post(description: "Cobro que no reconozco en la factura de este mes.", field: "adjuntosx")
            #expect(lookalike.hasPrefix("400") && lookalike.contains("caracteres de control"))
        }
    }

    @Test("A body over 1 MB gets 413 on a route that takes no files; a PQR with a 2 MB attachment is read")
    func bodySizes() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let tester = try app.testing(method: .running(port: 0))
            let boundary = "----ema-grande"
            func multipart(text: [(String, String)], file: Int) -> ByteBuffer {
                var body = ""
                for (name, value) in text { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"adjuntos[]\"; filename=\"acta.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
                var buffer = ByteBuffer(string: body)
                buffer.writeBytes(Array(repeating: 0x20, count: file))
                buffer.writeString("\n%%EOF\r\n--\(boundary)--\r\n")
                return buffer
            }
            let headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
            let big = multipart(text: [("channel", "web")], file: 1_500_000)
            try await tester.test(.POST, "api/v1/chat/sessions", headers: headers, body: big) { response in
                #expect(response.status == .payloadTooLarge)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "payload_too_large")
            }
            let filing = multipart(text: [("tipo", "peticion"), ("descripcion", "Adjunto el acta de la visita técnica, que dice que el medidor está bien."),
                                          ("municipio", "Medellín"), ("nombre", "Ana Restrepo")], file: 2_000_000)
            try await tester.test(.POST, "pqr", headers: headers, body: filing) { response in
                #expect(response.status == .ok && response.body.string.contains("radicado"))
            }
            #expect(try await CaseAttachment.query(on: app.db).all().map(\.size) == [2_000_015])
        }
    }

    @Test("A path over 4 KB gets 414 and a segment over 255 characters 404; neither reaches the logs")
    func longPaths() async throws {
        let capture = LogCapture()
        try await withEmaApp(prepare: { $0.logger = capture.logger() }) { app in
            let tester = try app.testing(method: .running(port: 0))
            let long = "/factura/" + String(repeating: "9", count: 5_000)
            try await tester.test(.GET, long) { response in
                #expect(response.status == .uriTooLong)
            }
            try await tester.test(.GET, "/css/" + String(repeating: "a", count: 300) + ".css") { response in
                #expect(response.status == .notFound)
            }
            try await tester.test(.GET, "/api/v1/admin/contracts/" + String(repeating: "7", count: 300)) { response in
                #expect(response.status == .notFound)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "not_found")
            }
        }
        #expect(!capture.text.contains("99999999"))
        #expect(!capture.text.contains("aaaaaaaa"))
        #expect(!capture.text.contains("77777777"))
        #expect(!capture.text.contains("Error no esperado"))
    }

    @Test("A WhatsApp message whose sender is not a phone number is dropped, the rest of its batch is taken, and Meta gets 200")
    func webhookSender() async throws {
        let hooks = WhatsAppWebhookTests()
        try await hooks.withWhatsApp { app in
            for sender in ["57300' OR 1=1--", String(repeating: "5", count: 5_000), "+573001234567", "", "5730012"] {
                let status = try await hooks.post(app, Webhook.text("hola", from: sender.replacingOccurrences(of: "'", with: "\\u0027")))
                #expect(status == .ok, "\(sender.prefix(20))")
            }
            #expect(try await WhatsAppInbound.query(on: app.db).count() == 0)
            // One batch, one message from a number and one from a name: the number's is kept.
            let batch = Webhook.envelope(#""messages":[{"from":"573001234568","id":"wamid.bueno","timestamp":"1795000000","type":"text","text":{"body":"hola"}},"#
                + #"{"from":"ana","id":"wamid.malo","timestamp":"1795000000","type":"text","text":{"body":"hola"}}]"#)
            #expect(try await hooks.post(app, batch) == .ok)
            #expect(try await WhatsAppInbound.query(on: app.db).all().map(\.id) == ["wamid.bueno"])
            #expect(try await hooks.post(app, Webhook.text("hola")) == .ok)
            #expect(try await WhatsAppInbound.query(on: app.db).count() == 2)
        }
    }

    @Test("A WhatsApp text with control characters is kept without them: nothing is cut at a NUL")
    func webhookControlCharacters() async throws {
        let hooks = WhatsAppWebhookTests()
        try await hooks.withWhatsApp { app in
            #expect(try await hooks.post(app, Webhook.text(#"quiero\u0000 pagar\u0007 mi factura"#, from: "573001234569", id: "wamid.nul")) == .ok)
            let stored = try #require(try await WhatsAppInbound.find("wamid.nul", on: app.db))
            let message = try JSONDecoder().decode(RawMessage.self, from: Data(stored.payload.utf8))
            #expect(message.text == "quiero pagar mi factura")
            #expect(message.inbound == .text("quiero pagar mi factura"))
        }
    }
}

@Suite("Headers, origins and monitoring")
struct SecurityHeaderTests {
    @Test("Every HTML page carries a CSP with no inline script, frame-ancestors, nosniff and a referrer policy; the APIs say no-store")
    func headers() async throws {
        try await withEmaApp(configure: { $0.adminToken = Secret("token-admin-cabeceras") }) { app in
            _ = try await DemoData.load(into: app)
            for path in ["", "chat", "factura/10234567", "pqr", "transparencia", "backoffice/ingresar", "no/existe"] {
                try await app.testing().test(.GET, path) { response in
                    let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                    #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "\(path)")
                    #expect(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "\(path)")
                    #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                    #expect(["same-origin", "no-referrer"].contains(response.headers.first(name: "Referrer-Policy") ?? ""), "\(path)")
                    // No inline script and no inline event handler left in the page itself.
                    let page = response.body.string
                    #expect(!page.contains("<script>") && !page.contains("onclick="), "\(path)")
                }
            }
            try await app.testing().test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer token-admin-cabeceras"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers.first(name: .cacheControl) == "no-store")
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            }
        }
    }

    @Test("The chat API answers the browser's CORS preflight from any site, and names only allowed origins when a list is set")
    func corsPreflight() async throws {
        try await withEmaApp { app in
            for path in ["api/v1/chat/sessions", "api/v1/chat/sessions/abc123/messages"] {
                try await app.testing().test(.OPTIONS, path, headers: [
                    "Origin": "https://www.empresa.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
                ]) { response in
                    #expect(response.status == .noContent, "\(path)")
                    #expect(response.headers.first(name: .accessControlAllowOrigin) == "*")
                    #expect(response.headers.first(name: .accessControlAllowMethods)?.contains("POST") == true)
                    #expect(response.headers.first(name: .accessControlAllowHeaders)?.lowercased().contains("content-type") == true)
                }
            }
            // An error answer carries it too, so the widget can read it.
            try await app.testing().test(.POST, "api/v1/chat/sessions/nada/messages", headers: ["Origin": "https://www.empresa.example"], beforeRequest: { request in
                try request.content.encode(["text": "hola"])
            }) { response in
                #expect(response.status == .notFound)
                #expect(response.headers.first(name: .accessControlAllowOrigin) == "*")
            }
        }
        try await withEmaApp(configure: { $0.chatOrigins = ["https://www.empresa.example"] }) { app in
            try await app.testing().test(.OPTIONS, "api/v1/chat/sessions", headers: ["Origin": "https://www.empresa.example", "Access-Control-Request-Method": "POST"]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers.first(name: .accessControlAllowOrigin) == "https://www.empresa.example")
                #expect(response.headers.first(name: .vary)?.contains("Origin") == true)
            }
            try await app.testing().test(.OPTIONS, "api/v1/chat/sessions", headers: ["Origin": "https://malo.example", "Access-Control-Request-Method": "POST"]) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers.first(name: .accessControlAllowOrigin) == nil)
            }
        }
    }

    @Test("/metrics can be closed to a token or to addresses")
    func metricsRestricted() async throws {
        try await withEmaApp(configure: { $0.metricsToken = Secret("token-de-metricas") }) { app in
            try await app.testing().test(.GET, "metrics") { #expect($0.status == .unauthorized) }
            try await app.testing().test(.GET, "metrics", headers: ["Authorization": "Bearer otro"]) { #expect($0.status == .unauthorized) }
            try await app.testing().test(.GET, "metrics", headers: ["Authorization": "Bearer token-de-metricas"]) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("ema_db_up 1"))
            }
        }
        try await withEmaApp(configure: { $0.metricsAllow = ["127.0.0.1"] }) { app in
            try await app.testing(method: .running(port: 0)).test(.GET, "metrics") { #expect($0.status == .ok) }
            try await app.testing().test(.GET, "metrics") { #expect($0.status == .unauthorized) }
        }
        try await withEmaApp { app in
            try await app.testing().test(.GET, "metrics") { #expect($0.status == .ok) }
        }
    }

    @Test("The advisors' WebSocket refuses a page of another site, even with the advisor's cookie")
    func webSocketOrigin() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let office = try OfficeBrowser(app)
            try await office.signIn("agente@ema.demo", "agente-demo-2026")
            let cookie = try #require(office.cookie)
            try await withRunningServer(app) { port in
                func upgrade(origin: String) async throws -> String {
                    try await webSocketUpgrade(port: port, "/backoffice/chats/nada/feed", origin: origin, cookie: cookie)
                }
                let own = try await upgrade(origin: "http://127.0.0.1:\(port)")
                let foreign = try await upgrade(origin: "https://malo.example")
                #expect(own.hasPrefix("HTTP/1.1 101"))
                #expect(!foreign.contains("101"))
            }
        }
    }

    @Test("With EMA_CHAT_ORIGINS set, the customer's live WebSocket opens from a listed site or Ema's own, not from another")
    func customerFeedOrigin() async throws {
        try await withEmaApp(configure: { $0.chatOrigins = ["https://www.empresa.com.co"] }) { app in
            try await withRunningServer(app) { port in
                func upgrade(origin: String?) async throws -> String {
                    try await webSocketUpgrade(port: port, "/api/v1/chat/sessions/cualquiera/live", origin: origin)
                }
                let listed = try await upgrade(origin: "https://www.empresa.com.co")
                let own = try await upgrade(origin: "http://127.0.0.1:\(port)")
                let none = try await upgrade(origin: nil)
                let foreign = try await upgrade(origin: "https://malo.example")
                #expect(listed.hasPrefix("HTTP/1.1 101") && own.hasPrefix("HTTP/1.1 101") && none.hasPrefix("HTTP/1.1 101"))
                #expect(!foreign.contains("101"))
            }
        }
    }
}

/// Asks for a WebSocket upgrade of `path` (with an `Origin` and the staff cookie when given);
/// returns the answer's head: `HTTP/1.1 101` when accepted.
func webSocketUpgrade(port: Int, _ path: String, origin: String?, cookie: String? = nil) async throws -> String {
    try await rawExchange(port: port, """
        GET \(path) HTTP/1.1\r
        Host: 127.0.0.1:\(port)\r
        Connection: Upgrade\r
        Upgrade: websocket\r
        Sec-WebSocket-Version: 13\r
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
        \(origin.map { "Origin: \($0)\r\n" } ?? "")\(cookie.map { "Cookie: ema_staff=\($0)\r\n" } ?? "")\r

        """)
}

/// Writes `request` on a new connection and returns what comes back up to the end of the
/// response's headers (or the connection's end): enough to see a WebSocket upgrade accepted or
/// refused without speaking WebSocket.
func rawExchange(port: Int, _ request: String) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request))
        var received = ""
        for try await chunk in inbound {
            received += String(buffer: chunk)
            if received.contains("\r\n\r\n") { break }
        }
        return received
    }
}
