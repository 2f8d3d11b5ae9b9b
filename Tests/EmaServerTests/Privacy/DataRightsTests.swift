@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("The holder's rights over their personal data, from Ema")
struct DataRightsTests {
    static let phone = "+573001234567"
    static let name = "Lucía Ramírez Ortiz"
    /// Every way the holder's number and name may have been written down.
    static let traces = ["3001234567", "300 123 4567", "Lucía", "Ramírez Ortiz"]

    /// Demo data; the web chat enrolls a contract for the holder; a PQR and a turn carry the number.
    func holderWithHistory(_ app: Application) async throws -> (chat: ChatClient, contract: String, radicado: String) {
        _ = try await DemoData.load(into: app)
        var chat = ChatClient(app: app)
        try await chat.reachPhone()
        try await chat.verify("300 123 4567")
        try await chat.say(Self.name)
        try await chat.say("10234567")
        try await chat.pickRightAddress("10234567")
        try await chat.pick("confirmar_si")
        #expect(chat.text.contains("quedó inscrito"))
        var draft = CasesTests.draft(.queja)
        draft.phone = Self.phone
        draft.name = Self.name
        let filed = try await app.caseService().file(draft)
        let turn = OfficeTurn()
        turn.code = "T-PRUEBA"
        turn.office = "Oficina Bello"
        turn.day = "2026-11-03"
        turn.slot = "09:00"
        turn.status = .attended
        turn.phone = Self.phone
        turn.createdAt = Date()
        try await turn.create(on: app.db)
        return (chat, "10234567", filed.radicado)
    }

    /// On WhatsApp from the holder's number: authorizes, asks for a right (`asking`), verifies the
    /// same number with the SMS code, and confirms.
    func confirmOnWhatsApp(_ app: Application, asking: [String]) async throws {
        let hooks = WhatsAppWebhookTests()
        for step in [Webhook.text("hola"), Webhook.button("consentimiento_si")] + asking + [Webhook.button("usar_este_numero")] {
            #expect(try await hooks.post(app, step) == .ok)
            try await drainJobs(app)
        }
        for step in [Webhook.text(try await latestSMSCode(app, to: Self.phone)), Webhook.button("datos_confirmar")] {
            #expect(try await hooks.post(app, step) == .ok)
            try await drainJobs(app)
        }
    }

    /// Every text value of every table, to look for a holder's data after suppression.
    func everyText(_ app: Application) async throws -> [(table: String, value: String)] {
        let sql = app.db.sql
        let tables: [String]
        if app.usesSQLite {
            tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all().map { try $0.decode(column: "name", as: String.self) }
        } else {
            tables = try await sql.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").all().map { try $0.decode(column: "table_name", as: String.self) }
        }
        var values: [(String, String)] = []
        for table in tables {
            for row in try await sql.raw("SELECT * FROM \(ident: table)").all() {
                for column in row.allColumns {
                    if let value = try? row.decode(column: column, as: String?.self) { values.append((table, value)) }
                }
            }
        }
        return values
    }

    @Test("Conocer: after the SMS code, a link to a copy of everything held on the number (page and JSON); a wrong code does nothing")
    func know() async throws {
        try await withEmaApp { app in
            var (chat, contract, radicado) = try await holderWithHistory(app)
            try await chat.say("mis datos personales")
            #expect(chat.choices.map(\.id) == ["datos_conocer", "datos_actualizar", "datos_suprimir", "datos_revocar", "datos_promociones"])
            try await chat.pick("datos_conocer")
            // The verification of a few minutes ago is reused; a later one asks again.
            #expect(chat.text.contains("que ya verificaste") && chat.text.contains("HD-"))
            let link = try #require(chat.text.range(of: #"/datos-personales/copia/[0-9a-f]{32}"#, options: .regularExpression).map { String(chat.text[$0]) })
            let request = try #require(try await DataRequest.query(on: app.db).first())
            #expect(request.kind == "consulta" && request.right == "conocer" && request.status == .answered && request.phoneMasked == "+57 ••• ••• ••67")
            #expect(request.copyTokenHash != nil && !(request.copyTokenHash ?? "").contains(link.suffix(32)))

            let page = try await OfficeBrowser(app).get(String(link.dropFirst()))
            #expect(page.status == .ok)
            for expected in [contract, Self.name, radicado, "T-PRUEBA", "Autorización de tratamiento de datos: aceptada", "Versión \(app.legalDocuments.privacy.version)", "mis datos personales"] {
                #expect(page.body.contains(expected), "the copy shows «\(expected)»")
            }
            var json = ""
            try await app.testing().test(.GET, String(link.dropFirst()) + "?formato=json") { response in
                #expect(response.headers.first(name: .contentDisposition)?.contains("mis-datos.json") == true)
                json = response.body.string
            }
            let copy = try JSONDecoder.iso8601.decode(HolderCopy.self, from: Data(json.utf8))
            #expect(copy.phone == Self.phone && copy.sections.map(\.title).contains("Peticiones, quejas y reclamos (PQR)"))
            #expect(try await OfficeBrowser(app).get("datos-personales/copia/" + String(repeating: "0", count: 32)).status == .notFound)

            // Another holder, on a fresh conversation: a wrong code gives nothing away.
            var stranger = ChatClient(app: app)
            try await stranger.start()
            try await stranger.pick("consentimiento_si")
            try await stranger.say("mis datos personales")
            try await stranger.pick("datos_conocer")
            #expect(stranger.text.contains("código por SMS para verificar que eres su titular"))
            try await stranger.say("310 999 8888")
            try await stranger.say("000000")
            #expect(stranger.text.contains("no coincide"))
            #expect(try await DataRequest.query(on: app.db).count() == 1)
        }
    }

    @Test("On the kiosk the copy's link goes by SMS to the holder, never to the shared screen")
    func kiosk() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            var chat = ChatClient(app: app)
            try await chat.start(channel: "kiosk")
            try await chat.pick("consentimiento_si")
            try await chat.say("mis datos personales")
            try await chat.pick("datos_conocer")
            try await chat.verify("300 123 4567")
            #expect(chat.text.contains("Te envié por mensaje de texto") && !chat.text.contains("/datos-personales/copia/"))
            try await drainJobs(app)
            let sms = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").filter(\.$recipient == Self.phone).all()
            #expect(sms.contains { $0.body.contains("/datos-personales/copia/") && $0.body.contains("HD-") })
        }
    }

    @Test("Suprimir on the web: no table keeps the number or the name; the PQR stays, anonymous, and its statistics still add up")
    func suppress() async throws {
        try await withEmaApp(configure: { $0.advisorHours = AdvisorHours(opens: 0, closes: 24 * 60) }) { app in
            var (chat, _, radicado) = try await holderWithHistory(app)
            let month = try #require(BillingPeriod(String(app.clock.today.description.prefix(7))))
            let before = try await CaseStatistics(database: app.db).month(month)
            #expect(try await everyText(app).contains { $0.value.contains(Self.phone) })
            // An advisor chat from the same web conversation: its copied history names the holder.
            try await chat.say("quiero hablar con un asesor")
            try await chat.say("salir")
            #expect(try await LiveChatMessage.query(on: app.db).all().contains { $0.text.contains(Self.name) || $0.text.contains("300 123 4567") })
            // Naming the right goes straight to it (still confirmed).
            try await chat.say("quiero que borren mis datos")
            #expect(chat.text.contains("No se puede deshacer") && chat.choices.map(\.id) == ["datos_confirmar", "datos_no"])
            try await chat.pick("datos_confirmar")
            #expect(chat.text.contains("Suprimí tus datos personales") && chat.text.contains("HD-"))
            // What the channels still held (the SMS with the code, the job that sent it) goes next.
            #expect(try await JobRecord.query(on: app.db).filter(\.$kind == ForgetNumberJob.kind).count() == 1)
            try await drainJobs(app)

            let left = try await everyText(app).filter { Self.traces.contains(where: $0.value.contains) }
            #expect(left.isEmpty, "still there: \(left.map(\.table))")
            let kept = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == radicado).first())
            #expect(kept.phone == nil && kept.name == nil && kept.anonymous)
            let after = try await CaseStatistics(database: app.db).month(month)
            #expect(after.filed == before.filed && after.filed > 0)
            let enrollment = try #require(try await Enrollment.query(on: app.db).first())
            #expect(enrollment.status == "removed" && enrollment.phone == Erased.text)
            let request = try #require(try await DataRequest.query(on: app.db).first())
            #expect(request.right == "suprimir" && request.phone == nil && request.status == .answered)

            // The same web session starts over: Ema asks for the authorization again.
            try await chat.say("hola")
            #expect(chat.choices.map(\.id).contains("consentimiento_si"))
        }
    }

    @Test("Suprimir on WhatsApp: the conversation goes with everything else; once the farewell is out, no table keeps the number")
    func suppressOnWhatsApp() async throws {
        let sent = #"{"messaging_product":"whatsapp","contacts":[{"input":"+573001234567","wa_id":"573001234567"}],"messages":[{"id":"wamid.enviado"}]}"#
        try await withFakeProvider(fallback: .init(status: .ok, body: sent)) { graph in
        try await WhatsAppWebhookTests().withWhatsApp(graph: graph) { app in
            #expect(try await EnrollmentService(database: app.db, clock: app.clock).enroll(EnrollmentRequest(phone: Self.phone, contractNumber: "10234567", holderName: Self.name, channel: .whatsapp)) == .enrolled)
            try await confirmOnWhatsApp(app, asking: [Webhook.text("quiero que borren mis datos")])
            #expect(try await Conversation.find("wa:" + Self.phone, on: app.db) == nil)
            #expect(try await DataRequest.query(on: app.db).first()?.right == "suprimir")
            // The farewell reached Meta, then nothing of the number stayed.
            #expect(graph.requests.last?.body.contains("Suprimí tus datos personales") == true)
            let left = try await everyText(app).filter { Self.traces.contains(where: $0.value.contains) }
            #expect(left.isEmpty, "still there: \(Set(left.map(\.table)))")
            #expect(try await WhatsAppSender.find(Self.phone, on: app.db) == nil)
        }
        }
    }

    @Test("Revocar on WhatsApp: the enrollment ends, the refusal is in the ledger, the next dispatch skips the number, and the next message asks again")
    func revoke() async throws {
        try await WhatsAppWebhookTests().withWhatsApp { app in
            let hooks = WhatsAppWebhookTests()
            let service = EnrollmentService(database: app.db, clock: app.clock)
            let contracts = try await Contract.query(on: app.db).filter(\.$status == "activo").sort(\.$contractNumber).all().map(\.contractNumber)
            #expect(try await service.enroll(EnrollmentRequest(phone: Self.phone, contractNumber: contracts[0], holderName: "Ana Gómez", channel: .whatsapp)) == .enrolled)
            #expect(try await service.enroll(EnrollmentRequest(phone: "+573109876543", contractNumber: contracts[1], holderName: "Luis Pérez", channel: .web)) == .enrolled)

            try await confirmOnWhatsApp(app, asking: [Webhook.text("mis datos personales"), Webhook.button("datos_revocar")])
            let said = try await hooks.sandbox(app).joined(separator: "\n")
            #expect(said.contains("Revoqué tu autorización") && said.contains(contracts[0]) && said.contains("impresa"))
            let enrollment = try #require(try await Enrollment.query(on: app.db).filter(\.$phone == Self.phone).first())
            #expect(enrollment.status == "removed" && enrollment.endReason?.contains("revocó") == true)
            let refusals = try await ConsentRecord.query(on: app.db).filter(\.$granted == false).all()
            // The authorization and, with it, the promotions: no message of any kind after a revocation.
            #expect(Set(refusals.map(\.kind)) == ["politica_datos", "promociones"])
            #expect(refusals.allSatisfy { $0.phone == Self.phone && $0.channel == "whatsapp" })
            let request = try #require(try await DataRequest.query(on: app.db).first())
            #expect(request.right == "revocar" && request.kind == "reclamo" && request.status == .answered && request.channel == "whatsapp")

            let newest = try #require(try await Invoice.query(on: app.db).sort(\.$period, .descending).first())
            let latest = try #require(BillingPeriod(newest.period))
            #expect(try await app.dispatchService().dispatch(period: latest).queued == 1)
            #expect(try await Delivery.query(on: app.db).all().map(\.phone) == ["+573109876543"])

            // The next message asks for the authorization again.
            let before = try await hooks.sandbox(app).count
            #expect(try await hooks.post(app, Webhook.text("hola")) == .ok)
            try await drainJobs(app)
            let after = try await hooks.sandbox(app)
            #expect(after.count > before && after.filter { $0.contains("consentimiento_si") }.count == 2)
        }
    }

    @Test("A revocation takes back the bill queued for the number: its delivery fails (paper takes over), the others go")
    func revokeDuringDispatch() async throws {
        try await WhatsAppWebhookTests().withWhatsApp { app in
            let period = try await DispatchTests().prepare(app)
            #expect(try await app.dispatchService().dispatch(period: period).queued == 3)
            let receipt = try await app.dataRightsService().exercise(DataRightRequest(action: .revoke, phone: "+573109876543", channel: .web, conversationID: "x"))
            #expect(receipt.contracts.count == 1 && receipt.code.hasPrefix("HD-"))
            try await drainJobs(app)
            let bills = try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").all().filter { $0.body.contains("factura_disponible") }
            #expect(bills.map(\.recipient) == [Self.phone, Self.phone])
            let deliveries = try await Delivery.query(on: app.db).all()
            #expect(deliveries.filter { $0.phone == "+573109876543" }.map(\.status) == ["failed"])
            #expect(deliveries.filter { $0.phone == Self.phone }.allSatisfy { $0.status == "sent" })
        }
    }

    @Test("Actualizar on the web: the name, the number (verified by its own code), and a correction filed as a reclamo with its terms")
    func update() async throws {
        let clock = AppClock.Manual(bogotaNoon("2026-12-02"))
        try await withEmaApp(clock: clock.clock) { app in
            var (chat, contract, _) = try await holderWithHistory(app)
            try await chat.say("actualizar mis datos personales")
            try await chat.pick("datos_actualizar")
            try await chat.pick("datos_nombre")
            try await chat.say("María 123")
            #expect(chat.text.contains("solo letras"))
            try await chat.say("María Fernanda Restrepo de Gómez")
            #expect(chat.text.contains("Actualicé tu nombre") && chat.text.contains(contract))
            #expect(try await Enrollment.query(on: app.db).first()?.holderName == "María Fernanda Restrepo de Gómez")

            try await chat.say("actualizar mis datos")
            try await chat.pick("datos_actualizar")
            try await chat.pick("datos_numero")
            try await chat.say("300 123 4567")
            #expect(chat.text.contains("mismo número"))
            try await chat.say("310 555 0101")
            #expect(chat.text.contains("Te envié un código"))
            try await chat.say(try await chat.lastCode(for: "+573105550101"))
            #expect(chat.text.contains("llegará al 310 555 0101"))
            let moved = try await Enrollment.query(on: app.db).filter(\.$status == "active").all()
            #expect(moved.map(\.phone) == ["+573105550101"])

            try await chat.say("actualizar mis datos")
            try await chat.pick("datos_actualizar")
            try await chat.pick("datos_otro")
            try await chat.say("Mi cédula quedó mal escrita en la PQR, es 43.123.456")
            #expect(chat.text.contains("Radiqué tu reclamo") && chat.text.contains("24 de diciembre de 2026"))
            let claim = try #require(try await DataRequest.query(on: app.db).filter(\.$right == "rectificar").first())
            #expect(claim.kind == "reclamo" && claim.status == .received && claim.dueOn == "2026-12-24" && claim.inProcessDueOn == "2026-12-04")
            #expect(claim.phone == "+573105550101" && claim.detail?.contains("43.123.456") == true)
        }
    }

    @Test("The web page: the number by SMS code, then each right as a form; a forged or stale session and a missing confirmation are refused")
    func webPage() async throws {
        let clock = AppClock.Manual(bogotaNoon("2026-12-02"))
        try await withEmaApp(clock: clock.clock) { app in
            _ = try await holderWithHistory(app)
            let web = try OfficeBrowser(app)
            #expect(try await web.get("datos-personales").body.contains("Enviar el código"))
            let bad = try await web.post("datos-personales/codigo", ["celular": "12345"])
            #expect(bad.status == .badRequest && bad.body.contains("10 dígitos"))
            clock.advance(by: 120)
            let sent = try await web.post("datos-personales/codigo", ["celular": "300 123 4567"])
            #expect(sent.status == .ok && sent.body.contains("300 123 4567") && sent.body.contains("datos-codigo"))
            let wrong = try await web.post("datos-personales/verificar", ["celular": Self.phone, "codigo": "000000"])
            #expect(wrong.status == .badRequest && wrong.body.contains("no coincide"))
            let code = try await latestSMSCode(app, to: Self.phone)
            let verified = try await web.post("datos-personales/verificar", ["celular": Self.phone, "codigo": code])
            let session = try #require(verified.body.range(of: #"name="sesion" value="[^"]+""#, options: .regularExpression).map {
                String(verified.body[$0].dropFirst(#"name="sesion" value=""#.count).dropLast())
            })
            #expect(verified.body.contains("datos-suprimir") && session.hasPrefix(Self.phone + "."))

            let known = try await web.post("datos-personales/solicitud", ["sesion": session, "accion": "conocer"])
            #expect(known.body.contains("Número de solicitud: HD-2026-") && known.body.contains("/datos-personales/copia/"))
            let forged = session.replacingOccurrences(of: "3001234567", with: "3109876543")
            #expect(try await web.post("datos-personales/solicitud", ["sesion": forged, "accion": "conocer"]).status == .forbidden)
            let unconfirmed = try await web.post("datos-personales/solicitud", ["sesion": session, "accion": "revocar"])
            #expect(unconfirmed.status == .badRequest && unconfirmed.body.contains("Marca la casilla"))
            let revoked = try await web.post("datos-personales/solicitud", ["sesion": session, "accion": "revocar", "confirmo": "si"])
            #expect(revoked.body.contains("Revocamos tu autorización") && revoked.body.contains("10234567") && !revoked.body.contains("datos-suprimir"))
            let ledger = try await ConsentRecord.query(on: app.db).filter(\.$granted == false).all()
            #expect(ledger.map { [$0.kind, $0.phone ?? "", $0.channel] }.sorted { $0[0] < $1[0] } == [["politica_datos", Self.phone, "web"], ["promociones", Self.phone, "web"]])
            #expect(try await Enrollment.query(on: app.db).filter(\.$status == "active").count() == 0)

            // After a suppression the same session opens nothing more (a replay would store the number again).
            let suppressed = try await web.post("datos-personales/solicitud", ["sesion": session, "accion": "suprimir", "confirmo": "si"])
            #expect(suppressed.body.contains("Suprimimos tus datos personales"))
            #expect(try await web.post("datos-personales/solicitud", ["sesion": session, "accion": "conocer"]).status == .forbidden)
            clock.advance(by: DataRightsController.sessionLifetime + 1)
            let stale = try await web.post("datos-personales/solicitud", ["sesion": session, "accion": "conocer"])
            #expect(stale.status == .forbidden && stale.body.contains("venció"))
            #expect(try await DataRequest.query(on: app.db).count() == 3)
        }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
