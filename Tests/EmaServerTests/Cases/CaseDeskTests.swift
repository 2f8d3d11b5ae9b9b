@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("PQR back office: roles, answers, notification, survey, statistics")
struct CaseDeskTests {
    func withDesk(at day: String = "2026-12-01", _ body: (Application, AppClock.Manual) async throws -> Void) async throws {
        try await CasesTests().withCases(at: day) { app, clock in
            _ = try await app.staffService().create(email: "otra.agente@ema.demo", name: "Olga Agente", role: "agente", password: "otra-agente-demo-2026")
            try await body(app, clock)
        }
    }

    func row(_ app: Application, _ radicado: String) async throws -> PQRCase {
        try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == radicado).first())
    }

    @Test("An agent takes unassigned cases and works only on theirs; supervisors assign; forms need the token")
    func roles() async throws {
        try await withDesk { app, _ in
            let filed = try await app.caseService().file(CasesTests.draft(.queja))
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            let queue = try await agent.get("backoffice/pqr?vista=sin_asignar")
            #expect(queue.status == .ok && queue.body.contains(filed.radicado))
            // Without the form token nothing changes.
            let forged = try await agent.post("backoffice/pqr/\(filed.radicado)/tomar", [:])
            #expect(forged.status == .forbidden)
            #expect(try await row(app, filed.radicado).assignedTo == nil)
            _ = try await agent.get("backoffice/pqr/\(filed.radicado)")
            let taken = try await agent.post("backoffice/pqr/\(filed.radicado)/tomar", ["csrf": agent.csrf])
            // The action redirects to the case (a refresh sends nothing again), which says what was done.
            #expect(taken.status == .seeOther && taken.location == "/backoffice/pqr/\(filed.radicado)?hecho=tomado")
            #expect(try await agent.get(String(taken.location.dropFirst())).body.contains("Tomaste este caso"))
            #expect(try await row(app, filed.radicado).statusValue == .enTramite)
            let mine = try await agent.get("backoffice/pqr")
            #expect(mine.body.contains(filed.radicado))

            let other = try OfficeBrowser(app)
            try await other.signIn("otra.agente@ema.demo", "otra-agente-demo-2026")
            let denied = try await other.get("backoffice/pqr/\(filed.radicado)")
            #expect(denied.status == .forbidden && denied.body.contains("asignada a otra persona"))
            _ = try await other.get("backoffice/pqr")
            let stolen = try await other.post("backoffice/pqr/\(filed.radicado)/nota", ["csrf": other.csrf, "texto": "me lo quedo"])
            #expect(stolen.status == .forbidden)
            #expect(try await other.get("backoffice/pqr?vista=mias").body.contains(filed.radicado) == false)
            #expect(try await other.get("backoffice/pqr-estadisticas").status == .forbidden)
            let assign = try await other.post("backoffice/pqr/\(filed.radicado)/asignar", ["csrf": other.csrf, "responsable": UUID().uuidString])
            #expect(assign.status == .forbidden)

            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            _ = try await supervisor.get("backoffice/pqr/\(filed.radicado)")
            let officer = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == "transparencia@ema.demo").first())
            let wrongRole = try await supervisor.post("backoffice/pqr/\(filed.radicado)/asignar", ["csrf": supervisor.csrf, "responsable": officer.requireID().uuidString])
            #expect(wrongRole.status == .badRequest && wrongRole.body.contains("Elige de la lista a quién asignar"))
            let olga = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == "otra.agente@ema.demo").first())
            let moved = try await supervisor.post("backoffice/pqr/\(filed.radicado)/asignar", ["csrf": supervisor.csrf, "responsable": olga.requireID().uuidString])
            #expect(moved.status == .seeOther)
            #expect(try await supervisor.get(String(moved.location.dropFirst())).body.contains("Caso asignado a Olga Agente"))
            #expect(try await other.get("backoffice/pqr/\(filed.radicado)").status == .ok)
            #expect(try await agent.get("backoffice/pqr/\(filed.radicado)").status == .forbidden)
            let history = try await CaseEvent.query(on: app.db).filter(\.$caseID == row(app, filed.radicado).requireID()).sort(\.$at).all()
            #expect(history.map(\.kind) == ["radicado", "asignacion", "asignacion"])
            #expect(history[2].actor == "supervisor@ema.demo" && history[2].detail.contains("Reasignada") && !history[2].isPublic)
            // Signed out: the desk sends to the sign-in page.
            let anonymous = try OfficeBrowser(app)
            #expect(try await anonymous.get("backoffice/pqr").status == .seeOther)
        }
    }

    @Test("The answer is notified by SMS, shows on /radicado, opens the appeal window; a recurso is accepted only inside it")
    func answerAndAppeal() async throws {
        try await withDesk(at: "2026-12-01") { app, clock in
            var claim = CasesTests.draft(.reclamo, contract: "10234567")
            claim.phone = "300 123 4567"
            let filed = try await app.caseService().file(claim)
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            let unassigned = try await agent.get("backoffice/pqr/\(filed.radicado)")
            // An agent takes the case before the answer form shows; an answer sent anyway is refused.
            #expect(unassigned.body.contains("Toma el caso para responderlo") && !unassigned.body.contains(#"id="responder""#))
            let untaken = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "no_accede", "confirmar": "si",
                                                                                             "texto": "Revisamos su caso con todo detalle y le explicamos."])
            #expect(untaken.status == .conflict && untaken.body.contains("Toma el caso antes de responderlo"))
            _ = try await agent.post("backoffice/pqr/\(filed.radicado)/tomar", ["csrf": agent.csrf])
            let short = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "no_accede", "texto": "No."])
            #expect(short.status == .badRequest && short.body.contains("Escribe la respuesta") && short.body.contains(">No.</textarea>"))
            let undecided = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "texto": "Revisamos su caso con todo detalle y le explicamos."])
            #expect(undecided.status == .badRequest && undecided.body.contains("Elige la decisión"))
            let emptyNote = try await agent.post("backoffice/pqr/\(filed.radicado)/nota", ["csrf": agent.csrf, "texto": " "])
            #expect(emptyNote.status == .badRequest && emptyNote.body.contains("Escribe la nota interna"))
            clock.advance(by: 86_400 * 2)
            // The session expired meanwhile: sign in again.
            #expect(try await agent.get("backoffice/pqr/\(filed.radicado)").status == .seeOther)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            _ = try await agent.get("backoffice/pqr/\(filed.radicado)")
            let answer = "Revisamos la lectura del medidor y el consumo facturado corresponde a la lectura real del periodo."
            // First the preview: how it reaches the customer, the SMS itself; nothing is saved or sent.
            let preview = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "no_accede", "texto": answer])
            #expect(preview.status == .ok && preview.body.contains("Revisa la respuesta antes de enviarla"))
            #expect(preview.body.contains("Por mensaje de texto al 300 •••• 67") && preview.body.contains("Decisión: No accede. Consulta la respuesta"))
            #expect(preview.body.contains(answer) && preview.body.contains(#"value="no_accede" selected"#))
            #expect(try await row(app, filed.radicado).statusValue.isOpen)
            #expect(try await app.db.sql.select().column("id").from(SMSOutbox.schema).all().isEmpty)
            // A confirmation of a text the preview did not show is shown again, not sent.
            let edited = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "no_accede", "texto": answer + " Gracias.",
                                                                                            "confirmar": "si", "vista": BackOfficeCasesController.previewDigest(.noAccede, answer)])
            #expect(edited.status == .ok && edited.body.contains("Cambiaste la respuesta") && edited.body.contains(answer + " Gracias."))
            #expect(try await row(app, filed.radicado).statusValue.isOpen)
            let done = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "no_accede", "texto": answer, "confirmar": "si",
                                                                                          "vista": BackOfficeCasesController.previewDigest(.noAccede, answer)])
            #expect(done.status == .seeOther && done.location == "/backoffice/pqr/\(filed.radicado)?hecho=respondido")
            #expect(try await agent.get(String(done.location.dropFirst())).body.contains("notificada"))
            let answered = try await row(app, filed.radicado)
            #expect(answered.statusValue == .respondido && answered.answeredOnTime == true && answered.businessDaysToAnswer == 2)
            #expect(answered.notificationKind == "sms" && answered.appealUntil == "2026-12-11")
            // Texts leave through the SMS outbox's job.
            try await drainJobs(app)
            let sms = try #require(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573001234567").first())
            #expect(sms.body.contains(filed.radicado) && sms.body.contains("No accede") && !sms.body.contains(filed.code))
            let again = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "accede", "texto": answer, "confirmar": "si",
                                                                                           "vista": BackOfficeCasesController.previewDigest(.accede, answer)])
            #expect(again.status == .conflict)

            var status = ""
            try await app.testing().test(.POST, "radicado", beforeRequest: { request in
                try request.content.encode(["numero": filed.radicado, "codigo": filed.code], as: .urlEncodedForm)
            }, afterResponse: { response in status = response.body.string })
            #expect(status.contains(answer) && status.contains("Respondida") && status.contains("viernes 11 de diciembre de 2026"))
            // The result comes first with its progress, and the appeal is one click away while it is open.
            #expect(status.range(of: "radicado-estado")!.lowerBound < status.range(of: "radicado-form")!.lowerBound)
            #expect(status.contains(#"<li class="tracker-actual" aria-current="step">"#) && status.contains("Ahora: </span>Respondida"))
            let appealHref = "/pqr?tipo=recurso_reposicion&amp;recurrido=\(filed.radicado)"
            #expect(status.contains(#"id="presentar-recurso" href="\#(appealHref)""#))
            try await app.testing().test(.GET, "pqr?tipo=recurso_reposicion&recurrido=\(filed.radicado)") { response in
                #expect(response.body.string.contains(#"value="recurso_reposicion" selected"#) && response.body.string.contains(#"value="\#(filed.radicado)""#))
            }
            #expect(!status.contains("encuesta"))

            // First-contact resolution: not judged while the window for a recurso is open; a recurso
            // makes it not solved at the first contact.
            let answeredOn = try #require(answered.answeredOn)
            let (from, to) = CaseStatistics.dates(of: try #require(BillingPeriod(String(answeredOn.prefix(7)))))
            let today = app.clock.today.description
            #expect(try await CaseIndicatorFacts.firstContact(from: from, to: to, today: today, on: app.db) == .init(channel: "pqr", resolved: 0, total: 0))
            #expect(try await CaseIndicatorFacts.firstContact(from: from, to: to, today: "2026-12-12", on: app.db) == .init(channel: "pqr", resolved: 1, total: 1))
            var appeal = CasesTests.draft(.recursoReposicion, contract: "10234567")
            appeal.parentRadicado = filed.radicado
            appeal.description = "No estoy de acuerdo: la casa estuvo desocupada todo el mes."
            var wrongContract = appeal
            wrongContract.contractNumber = "20345678"
            await #expect(throws: CaseError.self) { _ = try await app.caseService().file(wrongContract) }
            let recurso = try await app.caseService().file(appeal)
            #expect(try await row(app, recurso.radicado).parentID == answered.id)
            #expect(try await CaseIndicatorFacts.firstContact(from: from, to: to, today: today, on: app.db) == .init(channel: "pqr", resolved: 0, total: 1))
            clock.advance(by: 86_400 * 10)
            do {
                _ = try await app.caseService().file(appeal)
                Issue.record("a late recurso was accepted")
            } catch let error as CaseError {
                #expect(error.code == "appeal_window_closed" && error.reason.contains("11 de diciembre"))
            }
        }
    }

    @Test("A queja filed with Ema on WhatsApp is answered by template, rated 1–5 on WhatsApp, and counted")
    func whatsAppQueja() async throws {
        try await WhatsAppWebhookTests().withWhatsApp { app in
            try await app.staffService().loadDemoAccounts()
            let hooks = WhatsAppWebhookTests()
            let steps = [Webhook.text("hola"), Webhook.button("consentimiento_si"), Webhook.text("quiero poner una queja"),
                         Webhook.button("pqr_tipo:queja"), Webhook.button("tema_atencion"), Webhook.button("pqr_sin_contrato"),
                         Webhook.text("El asesor de la oficina del centro no me quiso recibir los documentos."), Webhook.text("Ana María Restrepo"),
                         Webhook.button("pqr_radicar")]
            for step in steps {
                #expect(try await hooks.post(app, step) == .ok)
                try await drainJobs(app)
            }
            let filed = try #require(try await PQRCase.query(on: app.db).first())
            #expect(filed.channelValue == .whatsapp && filed.phone == "+573001234567" && filed.typeValue == .queja && filed.causal == "P315")
            let sent = try await hooks.sandbox(app)
            #expect(sent.contains { $0.contains(filed.radicado) && $0.contains("Código de consulta") })

            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            _ = try await agent.get("backoffice/pqr/\(filed.radicado)")
            _ = try await agent.post("backoffice/pqr/\(filed.radicado)/tomar", ["csrf": agent.csrf])
            let answer = "Hablamos con el asesor y recibimos sus documentos; ya quedaron en su expediente."
            let done = try await agent.post("backoffice/pqr/\(filed.radicado)/responder", ["csrf": agent.csrf, "decision": "accede", "confirmar": "si", "texto": answer,
                                                                                          "vista": BackOfficeCasesController.previewDigest(.accede, answer)])
            #expect(done.status == .seeOther)
            try await drainJobs(app)
            let templates = try await hooks.sandbox(app).suffix(2)
            #expect(templates.first?.contains(#""name":"pqr_respuesta""#) == true && templates.first?.contains(filed.radicado) == true)
            #expect(templates.last?.contains(#""name":"pqr_encuesta""#) == true)
            #expect(try await hooks.post(app, Webhook.text("5")) == .ok)
            try await drainJobs(app)
            #expect(try await hooks.post(app, Webhook.text("Muy amables")) == .ok)
            try await drainJobs(app)
            let rated = try #require(try await PQRCase.find(filed.id, on: app.db))
            #expect(rated.satisfaction == 5 && rated.satisfactionComment == "Muy amables")
            let stats = try await CaseStatistics(database: app.db).month(BillingPeriod(String(rated.filedOn.prefix(7)))!)
            #expect(stats.surveys == 1 && stats.averageSatisfaction == 5)
            // The same answer, once, among the survey answers the indicators read.
            let answers = try await SurveyResponse.query(on: app.db).all()
            #expect(answers.map { [$0.kind, $0.subject, $0.channel, "\($0.score)"] } == [["queja", filed.radicado, "whatsapp", "5"]])
        }
    }

    @Test("Statistics by hand: counts, answers on time, business days, complaint index; the SSPD file")
    func statistics() async throws {
        try await withDesk(at: "2026-12-01") { app, clock in
            let service = app.caseService()
            let claim = try await service.file(CasesTests.draft(.reclamo, contract: "10234567"))
            var complaint = CasesTests.draft(.queja)
            complaint.causal = "P315"
            let queja = try await service.file(complaint)
            _ = try await service.file(CasesTests.draft(.peticion))
            _ = try await service.file(CasesTests.draft(.sugerencia))
            let supervisor = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == "supervisor@ema.demo").first())
            let staff = StaffContext(accountID: try supervisor.requireID(), email: supervisor.email, name: supervisor.name, role: .supervisor, csrfToken: "", sessionID: UUID())
            clock.advance(by: 86_400 * 3)   // Friday 4 December: 3 business days.
            try await service.answer(try row(app, claim.radicado), decision: .accedeParcialmente, text: "Reliquidamos el consumo con el promedio de los últimos seis meses.", by: staff)
            clock.advance(by: 86_400 * 30)  // 3 January 2027: late for the queja (due 23 December).
            try await service.answer(try row(app, queja.radicado), decision: .accede, text: "Le ofrecemos excusas; reforzamos la atención en la oficina.", by: staff)

            let december = try await CaseStatistics(database: app.db).month(BillingPeriod("2026-12")!)
            #expect(december.filed == 4 && december.complaints == 2)
            #expect(december.byType.first { $0.label == "Reclamo" }?.count == 1)
            #expect(december.byCausal.first { $0.label.hasPrefix("P315") }?.count == 1)
            #expect(december.bySegment.first { $0.label == "Sin contrato" }?.count == 3)
            #expect(december.answered == 1 && december.answeredOnTime == 1 && december.onTimeShare == 100 && december.averageBusinessDays == 3)
            let contracts = try await Contract.query(on: app.db).count()
            #expect(december.contracts == contracts)
            #expect(december.complaintIndex == (2.0 * 10_000 / Double(contracts) * 100).rounded() / 100)
            let january = try await CaseStatistics(database: app.db).month(BillingPeriod("2027-01")!)
            #expect(january.filed == 0 && january.answered == 1 && january.answeredOnTime == 0 && january.onTimeShare == 0)
            #expect(january.averageBusinessDays == Double(ColombianCalendar().businessDays(from: CivilDate("2026-12-01")!, to: CivilDate("2027-01-03")!)))

            var lines: [[String]] = []
            try await CaseStatistics(database: app.db).sspdRows(BillingPeriod("2026-12")!) { lines.append($0) }
            #expect(lines.first == CaseStatistics.sspdHeader)
            // The sugerencia is not reported; four rows less one.
            #expect(lines.count == 1 + 3)
            let claimLine = try #require(lines.first { $0[3] == claim.radicado })
            #expect(claimLine[0] == "05" && claimLine[1].hasPrefix("05") && claimLine[5] == "1" && claimLine[8] == "10234567")
            #expect(claimLine[10] == "2" && claimLine[11] == "04-12-2026")
            let quejaLine = try #require(lines.first { $0[3] == queja.radicado })
            #expect(quejaLine[5] == "2" && quejaLine[6] == "P" && quejaLine[7] == "315" && quejaLine[10] == "9" && quejaLine[14] == "3")
            #expect(CaseStatistics.csvLine(["=1+1", "a,b", "x"]) == "'=1+1,\"a,b\",x\r\n")

            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let page = try await office.get("backoffice/pqr-estadisticas?mes=2026-12")
            #expect(page.status == .ok && page.body.contains(#"<p class="big" id="radicadas">4</p>"#))
            // Figures as a Colombian reads them: decimal comma and unit, never «3.0» or «100.0».
            #expect(page.body.contains("3,0 días") && page.body.contains("(100,0 %)"))
            #expect(page.body.range(of: #">[0-9]+\.[0-9]<"#, options: .regularExpression) == nil)
            let csv = try await office.get("backoffice/pqr-estadisticas/sspd.csv?mes=2026-12")
            #expect(csv.status == .ok && csv.body.hasPrefix("Código Departamento,") && csv.body.contains(claim.radicado))
            #expect(try await StaffAuditEntry.query(on: app.db).filter(\.$action == "exportar_sspd").count() == 1)
        }
    }

    @Test("PQR Web: the form files with an attachment, keeps what was typed on an error, and the API files by JSON")
    func webForm() async throws {
        try await withDesk { app, _ in
            struct Form: Content {
                var tipo: String
                var municipio: String
                var contrato: String
                var descripcion: String
                var nombre: String
                var intento: String
                var adjuntos: [File]
            }
            let png = ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64))
            let tester = try app.testing()
            var form = Form(tipo: "reclamo", municipio: "", contrato: "", descripcion: "El medidor marca más de lo que consumimos.", nombre: "Ana María Restrepo",
                            intento: "abcdef0123456789abcdef", adjuntos: [File(data: png, filename: "medidor.png")])
            try await tester.test(.POST, "pqr", beforeRequest: { try $0.content.encode(form, as: .formData) }, afterResponse: { response in
                #expect(response.status == .badRequest)
                // The attachment is kept with the form: the next try sends it without attaching it again.
                #expect(response.body.string.contains("necesitamos el número de contrato") && !response.body.string.contains("Vuelve a adjuntar"))
                #expect(response.body.string.contains("Conservamos tus archivos: <strong>medidor.png</strong>."))
                #expect(response.body.string.contains("El medidor marca más de lo que consumimos."))
                // The causales in a customer's words, not the SSPD's codes.
                #expect(response.body.string.contains(">Pagué y el pago no aparece<") && !response.body.string.contains("F122 ·"))
                // Beside the contract field, which is marked invalid; the summary links to it.
                #expect(response.body.string.contains(#"<p class="field-error" id="contrato-error">"#))
                #expect(response.body.string.contains(#"aria-invalid="true" aria-describedby="contrato-error""#) && response.body.string.contains(##"<a href="#contrato">"##))
            })
            form.contrato = "10234567"
            form.adjuntos = []
            var radicado = ""
            try await tester.test(.POST, "pqr", beforeRequest: { try $0.content.encode(form, as: .formData) }, afterResponse: { response in
                #expect(response.status == .ok)
                let body = response.body.string
                let found = body.range(of: #"id="radicado-numero">[0-9-]+"#, options: .regularExpression).map { String(body[$0].split(separator: ">").last!) }
                radicado = found ?? ""
            })
            let filed = try await row(app, radicado)
            let files = try await CaseAttachment.query(on: app.db).filter(\.$caseID == filed.requireID()).all()
            #expect(files.count == 1 && files[0].contentType == "image/png" && files[0].size == 72 && files[0].filename == "medidor.png")
            #expect(filed.channelValue == .pqrWeb && filed.contractNumber == "10234567")
            #expect(try await CasePendingFiles.names(key: form.intento, on: app.db).isEmpty, "filed, the kept copy goes")

            try await tester.test(.POST, "api/v1/pqr", beforeRequest: { request in
                try request.content.encode(["type": "queja", "description": "Nadie contesta la línea de atención.", "anonymous": "true", "municipality": "Bello"] as [String: String])
            }, afterResponse: { response in
                // "anonymous" must be a JSON boolean: a string is a malformed request.
                #expect(response.status == .badRequest)
            })
            struct Filing: Content { let type: String; let description: String; let anonymous: Bool; let municipality: String; let idempotencyKey: String }
            let body = Filing(type: "queja", description: "Nadie contesta la línea de atención.", anonymous: true, municipality: "Bello", idempotencyKey: "clave-de-prueba-0001")
            var first: PQRWebController.APIFiled?
            for _ in 0..<2 {
                try await tester.test(.POST, "api/v1/pqr", beforeRequest: { try $0.content.encode(body) }, afterResponse: { response in
                    #expect(response.status == .created)
                    let filed = try response.content.decode(PQRWebController.APIFiled.self)
                    if let first { #expect(first.radicado == filed.radicado && first.code == filed.code) }
                    first = filed
                })
            }
            let made = try #require(first)
            try await tester.test(.POST, "api/v1/pqr/consulta", beforeRequest: { try $0.content.encode(["radicado": made.radicado, "code": made.code]) }, afterResponse: { response in
                #expect(response.status == .ok)
                let status = try response.content.decode(PQRWebController.APIStatus.self)
                #expect(status.type == "queja" && status.status == "radicado" && status.answer == nil && status.dueOn == made.dueDate)
            })
        }
    }

    @Test("An agent records a phone request: the customer gets the radicado and code by SMS once, even if the form is sent twice")
    func intakeByPhone() async throws {
        try await withDesk { app, _ in
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            let form = try await agent.get("backoffice/pqr/nueva")
            let key = try #require(form.body.range(of: #"name="intento" value="[0-9a-f]{32}""#, options: .regularExpression).map { String(form.body[$0].dropFirst(#"name="intento" value=""#.count).dropLast()) })
            var fields = ["csrf": agent.csrf, "intento": key, "tipo": "peticion", "municipio": "Bello", "descripcion": "Pide una copia del contrato de condiciones uniformes.",
                          "nombre": "Luis Fernando Pérez", "celular": "315 222 3344"]
            let missingChannel = try await agent.post("backoffice/pqr/nueva", fields)
            #expect(missingChannel.status == .badRequest && missingChannel.body.contains("Elige el canal"))
            fields["canal"] = "telefono"
            let first = try await agent.post("backoffice/pqr/nueva", fields)
            let second = try await agent.post("backoffice/pqr/nueva", fields)
            #expect(first.status == .created && second.status == .created)
            let filed = try #require(try await PQRCase.query(on: app.db).all().first)
            #expect(try await PQRCase.query(on: app.db).count() == 1)
            #expect(filed.channelValue == .telefono && filed.municipality == "Bello")
            let events = try await CaseEvent.query(on: app.db).filter(\.$caseID == filed.requireID()).sort(\.$at).all()
            #expect(events.first?.actor == "agente@ema.demo")
            // Texts leave through the SMS outbox's job.
            try await drainJobs(app)
            let texts = try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573152223344").all()
            #expect(texts.count == 1)
            let code = try #require(first.body.range(of: #"id="codigo">[A-Z0-9]{6}"#, options: .regularExpression).map { String(first.body[$0].suffix(6)) })
            #expect(texts.first?.body.contains(filed.radicado) == true && texts.first?.body.contains(code) == true)
            #expect(second.body.contains(code))
        }
    }
}
