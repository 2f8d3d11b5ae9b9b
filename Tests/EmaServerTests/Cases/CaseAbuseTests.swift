@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// PQR Web, the PQR API, the radicado lookup and Contacto Transparente against someone who
/// files, texts or guesses without end.
@Suite("PQR and lookups against flooding and lock-outs")
struct CaseAbuseTests {
    /// Behind a trusted proxy at 127.0.0.1, so each test can play several client addresses.
    func withProxy(adminToken: String? = nil, _ body: (Application, any TestingApplicationTester) async throws -> Void) async throws {
        try await withEmaApp(configure: { config in
            config.trustedProxies = ["127.0.0.1"]
            config.adminToken = adminToken.map(Secret.init)
        }) { app in
            _ = try await DemoData.load(into: app)
            try await body(app, try app.testing(method: .running(port: 0)))
        }
    }

    static func form(_ description: String = "La factura de este mes llegó con un cobro que no reconozco.", phone: String? = nil) -> [String: String] {
        var fields = ["tipo": "peticion", "descripcion": description, "municipio": "Medellín", "nombre": "Ana Restrepo", "intento": SecureRandom.hex(16)]
        if let phone { fields["celular"] = phone }
        return fields
    }

    func post(_ tester: any TestingApplicationTester, _ path: String, _ fields: [String: String], from address: String) async throws -> (HTTPResponseStatus, String) {
        var result: (HTTPResponseStatus, String) = (.ok, "")
        try await tester.test(.POST, path, headers: forwarded(address), beforeRequest: { request in
            try request.content.encode(fields, as: .urlEncodedForm)
        }) { result = ($0.status, $0.body.string) }
        return result
    }

    @Test("PQR Web files at most 10 requests an hour from one address, and says so; another address files")
    func filingsPerAddress() async throws {
        try await withProxy { app, tester in
            for index in 0..<PQRWebController.filingsPerClient.limit {
                let (status, _) = try await post(tester, "pqr", Self.form(), from: "203.0.113.50")
                #expect(status == .ok, "filing \(index + 1)")
            }
            let (status, page) = try await post(tester, "pqr", Self.form(), from: "203.0.113.50")
            #expect(status == .tooManyRequests)
            #expect(page.contains("ya se radicaron 10 solicitudes en la última hora") && page.contains("espera 1 hora"))
            #expect(page.contains("La factura de este mes llegó con un cobro"), "the form keeps what was typed")
            #expect(try await PQRCase.query(on: app.db).count() == 10)
            let (other, _) = try await post(tester, "pqr", Self.form(), from: "198.51.100.60")
            #expect(other == .ok)
        }
    }

    @Test("One mobile gets at most 3 SMS with a radicado an hour, whoever files; the page says when it was not sent")
    func smsPerNumber() async throws {
        try await withProxy { app, tester in
            var pages: [String] = []
            for index in 0..<4 {
                let (status, page) = try await post(tester, "pqr", Self.form(phone: "300 555 0404"), from: "203.0.113.\(70 + index)")
                #expect(status == .ok)
                pages.append(page)
            }
            // Texts leave through the SMS outbox's job.
            try await drainJobs(app)
            let sms = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").filter(\.$recipient == "+573005550404").count()
            #expect(sms == 3)
            #expect(pages[0].contains("Te enviamos el radicado y el código por mensaje de texto al 300 •••• 04"))
            #expect(pages[3].contains("No te enviamos el mensaje de texto: ese número ya recibió varios mensajes"))
            #expect(try await PQRCase.query(on: app.db).count() == 4)
            // The API says the same in its `sms` field: the number had its three this hour.
            var apiSMS: String?
            try await tester.test(.POST, "api/v1/pqr", headers: forwarded("203.0.113.79"), beforeRequest: { request in
                try request.content.encode(["type": "peticion", "description": "Solicito copia de la factura del mes pasado, por favor.",
                                            "municipality": "Medellín", "name": "Ana Restrepo", "phone": "3005550404"])
            }) { response in
                #expect(response.status == .created)
                apiSMS = try? response.content.get(String.self, at: "sms")
            }
            #expect(apiSMS == "limited")
        }
    }

    @Test("The PQR API is limited per address too, with a stable code; the utility's systems with the operators' token are not")
    func apiFilings() async throws {
        try await withProxy(adminToken: "token-sistemas-empresa") { app, tester in
            func file(_ headers: HTTPHeaders) async throws -> (HTTPResponseStatus, String?) {
                var result: (HTTPResponseStatus, String?) = (.ok, nil)
                try await tester.test(.POST, "api/v1/pqr", headers: headers, beforeRequest: { request in
                    try request.content.encode(["type": "peticion", "description": "Solicito copia de la factura del mes pasado, por favor.", "municipality": "Medellín", "name": "Ana Restrepo"])
                }) { response in
                    result = (response.status, (try? response.content.decode(ErrorMiddleware.Body.self))?.code)
                }
                return result
            }
            for _ in 0..<10 { #expect(try await file(forwarded("203.0.113.90")).0 == .created) }
            let over = try await file(forwarded("203.0.113.90"))
            #expect(over.0 == .tooManyRequests && over.1 == "rate_limited")
            var trusted = forwarded("203.0.113.90")
            trusted.bearerAuthorization = .init(token: "token-sistemas-empresa")
            for _ in 0..<3 { #expect(try await file(trusted).0 == .created) }
            #expect(try await PQRCase.query(on: app.db).count() == 13)
        }
    }

    @Test("Guessing a radicado's code locks the guesser's address, never the owner; the wait is in minutes")
    func radicadoLockOut() async throws {
        try await withProxy { app, tester in
            let filed = try await app.caseService().file(CasesTests.draft())
            // The guesser tries every radicado; for this one, ten wrong codes.
            for _ in 0..<10 {
                let (status, _) = try await post(tester, "radicado", ["numero": filed.radicado, "codigo": "ZZZZZZ"], from: "203.0.113.66")
                #expect(status == .notFound)
            }
            let (blocked, page) = try await post(tester, "radicado", ["numero": filed.radicado, "codigo": filed.code], from: "203.0.113.66")
            #expect(blocked == .tooManyRequests)
            #expect(page.contains("espera 1 hora") && !page.contains("segundos"))
            // The owner, at home, reads the case at once.
            let (owner, status) = try await post(tester, "radicado", ["numero": filed.radicado, "codigo": filed.code], from: "198.51.100.5")
            #expect(owner == .ok)
            #expect(status.contains("Radicada, en estudio"))
        }
    }

    @Test("Guesses spread over many radicados or reports lock the address after 30 in 15 minutes")
    func spreadGuesses() async throws {
        try await withProxy { app, tester in
            let filed = try await app.caseService().file(CasesTests.draft())
            let limit = CaseLookups.failuresPerAddress.limit
            // Nine tries each on many radicados stay under the per-radicado limit, not under this one.
            for index in 0..<limit {
                let (status, _) = try await post(tester, "radicado", ["numero": "2026-\(String(format: "%07d", 500 + index))", "codigo": "ZZZZZZ"], from: "203.0.113.68")
                #expect(status == .notFound, "guess \(index + 1)")
            }
            let (blocked, page) = try await post(tester, "radicado", ["numero": filed.radicado, "codigo": filed.code], from: "203.0.113.68")
            #expect(blocked == .tooManyRequests && page.contains("minutos") && !page.contains("segundos"))
            for index in 0..<TransparencyController.failuresPerAddress.limit {
                let (status, _) = try await post(tester, "transparencia/consulta", ["codigo": "CT-\(SecureRandom.readable(8))", "clave": "clave-\(index)"], from: "203.0.113.78")
                #expect(status == .notFound, "guess \(index + 1)")
            }
            let (closed, _) = try await post(tester, "transparencia/consulta", ["codigo": "CT-AAAAAAAA", "clave": "otra"], from: "203.0.113.78")
            #expect(closed == .tooManyRequests)
        }
    }

    @Test("Contacto Transparente: a guesser is locked per address and per code, the reporter never")
    func transparencyLockOut() async throws {
        try await withProxy { app, tester in
            let service = try await TransparencyService.make(database: app.db, clock: app.clock)
            let (code, key) = try await service.file(TransparencyContent(what: "Un funcionario pidió dinero por agilizar una reconexión.", place: "Oficina Bello", when: "Ayer", who: "No sé"), files: [])
            for _ in 0..<10 {
                let (status, _) = try await post(tester, "transparencia/consulta", ["codigo": code, "clave": "clave-equivocada"], from: "203.0.113.77")
                #expect(status == .notFound)
            }
            let (blocked, page) = try await post(tester, "transparencia/consulta", ["codigo": code, "clave": key], from: "203.0.113.77")
            #expect(blocked == .tooManyRequests && page.contains("espera 1 hora") && !page.contains("segundos"))
            let (reporter, _) = try await post(tester, "transparencia/consulta", ["codigo": code, "clave": key], from: "198.51.100.9")
            #expect(reporter == .ok)
        }
    }
}

@Suite("Personal-data lookups against guessing")
struct DataRightsLookupLimitTests {
    @Test("Copy links and codes guessed from one address lock that address only")
    func guessedLinks() async throws {
        try await CaseAbuseTests().withProxy { _, tester in
            func open(_ token: String, from address: String) async throws -> HTTPResponseStatus {
                var status = HTTPResponseStatus.ok
                try await tester.test(.GET, "datos-personales/copia/\(token)", headers: forwarded(address)) { status = $0.status }
                return status
            }
            for index in 0..<DataRightsController.failuresPerAddress.limit {
                #expect(try await open(SecureRandom.hex(32), from: "203.0.113.30") == .notFound, "guess \(index + 1)")
            }
            #expect(try await open(SecureRandom.hex(32), from: "203.0.113.30") == .tooManyRequests)
            #expect(try await open(SecureRandom.hex(32), from: "198.51.100.31") == .notFound)
            // Wrong codes for one number from one address: ten, then that address waits.
            for _ in 0..<10 {
                let (status, _) = try await CaseAbuseTests().post(tester, "datos-personales/verificar", ["celular": "3001234567", "codigo": "000000"], from: "203.0.113.40")
                #expect(status == .badRequest)
            }
            let (blocked, page) = try await CaseAbuseTests().post(tester, "datos-personales/verificar", ["celular": "3001234567", "codigo": "000000"], from: "203.0.113.40")
            #expect(blocked == .tooManyRequests && page.contains("espera 1 hora") && !page.contains("segundos"))
        }
    }

    @Test("A code belongs to whoever asked for it: a stranger's wrong tries neither spend it nor lock the owner out")
    func codeOwner() async throws {
        try await CaseAbuseTests().withProxy { app, tester in
            let abuse = CaseAbuseTests()
            let (asked, _) = try await abuse.post(tester, "datos-personales/codigo", ["celular": "3001234567"], from: "198.51.100.5")
            #expect(asked == .ok)
            let code = try await latestSMSCode(app, to: "+573001234567")
            // A stranger who knows the number types five wrong codes, then the right one: none is theirs.
            for _ in 0..<5 {
                let (status, _) = try await abuse.post(tester, "datos-personales/verificar", ["celular": "3001234567", "codigo": "000000"], from: "203.0.113.41")
                #expect(status == .badRequest)
            }
            let (stolen, stolenPage) = try await abuse.post(tester, "datos-personales/verificar", ["celular": "3001234567", "codigo": code], from: "203.0.113.41")
            #expect(stolen == .badRequest && !stolenPage.contains("Verificaste el"))
            // The owner's code still works, at the owner's address.
            let (owner, page) = try await abuse.post(tester, "datos-personales/verificar", ["celular": "3001234567", "codigo": code], from: "198.51.100.5")
            #expect(owner == .ok && page.contains("Verificaste el"))
        }
    }

    @Test("Ema's chat counts PQR filings per address with the forms: the 11th of an hour is refused, in words")
    func chatFilings() async throws {
        try await CaseAbuseTests().withProxy { app, tester in
            for _ in 0..<PQRWebController.filingsPerClient.limit {
                #expect(try await CaseAbuseTests().post(tester, "pqr", CaseAbuseTests.form(), from: "203.0.113.91").0 == .ok)
            }
            let filing = CaseFiling(type: .peticion, causal: CaseCatalog.unclassified, contractNumber: nil, parentRadicado: nil,
                                    description: "Quiero saber por qué subió tanto mi factura este mes.", name: "Ana Restrepo", anonymous: false,
                                    phone: nil, channel: .web, conversationID: "web:prueba-limite")
            let refused = try await app.assistantEffects(client: "203.0.113.91").fileCase(filing)
            guard case .rejected(let reason) = refused else { Issue.record("filed: \(refused)"); return }
            #expect(reason.contains("ya se radicaron varias solicitudes") && reason.contains("1 hora"))
            #expect(try await PQRCase.query(on: app.db).count() == PQRWebController.filingsPerClient.limit)
            guard case .filed = try await app.assistantEffects(client: "198.51.100.92").fileCase(filing) else { Issue.record("another address is refused"); return }
        }
    }
}

@Suite("Masking that does not outlive the holder")
struct SuppressedHistoryTests {
    @Test("The SMS proof shows two digits; after a suppression the case history keeps no trace of the number or the name")
    func historyScrubbed() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            let tester = try app.testing()
            try await tester.test(.POST, "pqr", beforeRequest: { request in
                var fields = CaseAbuseTests.form(phone: "300 123 0404")
                fields["correo"] = "ana.r@example.com"
                try request.content.encode(fields, as: .urlEncodedForm)
            }) { #expect($0.status == .ok) }
            let row = try #require(try await PQRCase.query(on: app.db).first())
            let proof = try #require(try await CaseEvent.query(on: app.db).filter(\.$kind == "constancia").first())
            #expect(proof.detail.contains("SMS a +57 ••• ••• ••04"))
            // The provider's message id, in parentheses, is random: it is not the number.
            let shown = proof.detail.replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
            #expect(!shown.contains("300") && !shown.contains("0404"), "\(proof.detail)")
            // What earlier versions wrote, and what an agent may type in a note.
            try await CaseEvent(caseID: row.requireID(), at: Date(), actor: "sistema", kind: "constancia", detail: "SMS a +57300•••0404 (SM1).", isPublic: false).create(on: app.db)
            try await app.caseService().note(row, text: "Llamé a Ana Restrepo al 300 123 0404 y al 3001230404; no contestó.", by: "agente@ema.demo")
            try await app.caseService().note(row, text: "Analizamos el cobro con la señora RESTREPO; escribir a ana.r@example.com.", by: "agente@ema.demo")
            _ = try await app.dataRightsService().exercise(DataRightRequest(action: .suppress, phone: "+573001230404", channel: .web, conversationID: "x"))
            let details = try await CaseEvent.query(on: app.db).filter(\.$caseID == row.requireID()).all().map(\.detail).joined(separator: "\n")
            for trace in ["300•••0404", "300 123 0404", "3001230404", "Ana Restrepo", "RESTREPO", "ana.r@"] {
                #expect(!details.contains(trace), "«\(trace)» is still in the history")
            }
            #expect(details.contains("Llamé a suprimido al suprimido y al suprimido"))
            // Whole words only: a word that starts like the name stays.
            #expect(details.contains("Analizamos el cobro con la señora suprimido; escribir a suprimido."))
        }
    }

    @Test("The name goes as a phrase and as its longer words, whole words only, whatever the case and accents")
    func nameScrub() {
        let scrub = { CaseEvents.scrub($0, exact: [], name: "María de la Cruz Ana") }
        #expect(scrub("Habló maria DE LA cruz ana; Analizamos.") == "Habló suprimido; Analizamos.")
        #expect(scrub("Doña María llamó. La cruzada sigue.") == "Doña suprimido llamó. La cruzada sigue.")
        #expect(scrub("Ana llamó de la oficina") == "Ana llamó de la oficina")
        #expect(CaseEvents.scrub("Cédula 1020304050, sin nombre", exact: ["1020304050"], name: nil) == "Cédula suprimido, sin nombre")
    }
}
