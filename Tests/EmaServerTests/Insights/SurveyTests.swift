@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Surveys by SMS link: after an office attention, and the periodic campaigns")
struct SurveyTests {
    /// The survey links sent by SMS so far, by recipient.
    func links(_ app: Application) async throws -> [(to: String, token: String, body: String)] {
        try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").sort(\.$createdAt).all().compactMap { message in
            guard let range = message.body.range(of: #"/encuesta/[A-Za-z0-9_-]{22}"#, options: .regularExpression) else { return nil }
            return (message.recipient, String(message.body[range].dropFirst("/encuesta/".count)), message.body)
        }
    }

    func attended(_ app: Application, code: String, office: String, day: String, phone: String?) async throws {
        let turn = OfficeTurn()
        turn.code = code
        turn.office = office
        turn.day = day
        turn.slot = "09:00"
        turn.status = .attended
        turn.phone = phone
        turn.createdAt = bogotaNoon(day)
        try await turn.create(on: app.db)
    }

    @Test("An office attention with a mobile number gets one SMS link; the page asks 1–5, refuses an empty answer, stores it once, and knows wrong and expired links")
    func officeAttention() async throws {
        let manual = AppClock.Manual(bogota(9, 0, on: "2026-12-01"))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            let service = app.turnService()
            let office = "Oficina Bello"
            let turn = try await service.book(office: office, day: "2026-12-02", slot: "10:00", phone: "+573001112233")
            let walkIn = try await service.book(office: office, day: "2026-12-02", slot: "10:30", phone: nil)
            manual.advance(by: 25 * 3_600)
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            _ = try await agent.get("backoffice/turnos?oficina=Oficina%20Bello")
            for code in [turn.code, walkIn.code] {
                _ = try await agent.post("backoffice/turnos/llamar", ["csrf": agent.csrf, "oficina": office])
                _ = try await agent.post("backoffice/turnos/\(code)/avanzar", ["csrf": agent.csrf, "oficina": office])
                let ended = try await agent.post("backoffice/turnos/\(code)/avanzar", ["csrf": agent.csrf, "oficina": office])
                #expect(ended.body.contains("Atención del turno \(code) terminada"))
            }
            try await drainJobs(app)
            let sent = try await links(app)
            // Only the customer who left a number is invited, once, and the token is not stored in clear.
            #expect(sent.count == 1 && sent.first?.to == "+573001112233" && sent.first?.body.contains("gracias por visitarnos en Oficina Bello") == true)
            let token = try #require(sent.first?.token)
            let invitation = try #require(try await SurveyInvitation.query(on: app.db).first())
            #expect(invitation.tokenHash == Hex.sha256(token) && invitation.subject == turn.code && invitation.municipality == "Bello")
            #expect(try await app.surveyInvitations().invite(kind: .oficina, subject: turn.code, phone: "+573001112233") == nil)

            let visitor = try OfficeBrowser(app)
            let page = try await visitor.get("encuesta/\(token)")
            #expect(page.status == .ok && page.body.contains("¿Cómo calificas la atención que recibiste en Oficina Bello?"))
            let empty = try await visitor.post("encuesta/\(token)", ["comentario": "muy bien"])
            #expect(empty.status == .badRequest && empty.body.contains("Elige una calificación de 1 a 5") && empty.body.contains("muy bien"))
            let outOfRange = try await visitor.post("encuesta/\(token)", ["general": "9"])
            #expect(outOfRange.status == .badRequest)
            #expect(try await SurveyResponse.query(on: app.db).count() == 0)
            let done = try await visitor.post("encuesta/\(token)", ["general": "4", "comentario": "Rápido y amable"])
            #expect(done.status == .ok && done.body.contains("Recibimos tus respuestas"))
            let again = try await visitor.post("encuesta/\(token)", ["general": "1"])
            #expect(again.body.contains("ya fue respondida"))
            let stored = try await SurveyResponse.query(on: app.db).all()
            #expect(stored.count == 1)
            #expect(stored.first.map { ($0.kind, $0.subject, $0.score, $0.channel, $0.office, $0.comment) } ?? ("", "", 0, "", nil, nil)
                == ("oficina", turn.code, 4, "sms", office, "Rápido y amable"))

            // A link changed by one character, a made-up one, and one past its week.
            let tampered = String(token.dropLast()) + (token.last == "A" ? "B" : "A")
            #expect(try await visitor.get("encuesta/\(tampered)").status == .notFound)
            #expect(try await visitor.get("encuesta/nada").body.contains("No encontramos esta encuesta"))
            let late = try #require(try await app.surveyInvitations().invite(kind: .oficina, subject: "X-1", phone: "+573001112233"))
            manual.advance(by: SurveyInvitations.officeLifetime + 60)
            let lateToken = try await app.surveyInvitations().token(for: late)
            let expired = try await visitor.post("encuesta/\(lateToken)", ["general": "5"])
            #expect(expired.body.contains("ya venció") && !expired.body.contains("<form"))
            #expect(try await SurveyResponse.query(on: app.db).count() == 1)
        }
    }

    @Test("A campaign invites the month's attended customers and the pasted phone numbers once each, refuses bad numbers and a second launch, and averages each question")
    func campaign() async throws {
        let manual = AppClock.Manual(bogota(9, 0, on: "2026-12-02"))
        try await withEmaApp(clock: manual.clock) { app in
            try await app.staffService().loadDemoAccounts()
            try await attended(app, code: "B-1", office: "Oficina Bello", day: "2026-11-03", phone: "+573001110001")
            try await attended(app, code: "B-2", office: "Oficina Envigado", day: "2026-11-20", phone: "+573001110001")
            try await attended(app, code: "B-3", office: "Oficina Bello", day: "2026-11-30", phone: "+573001110002")
            try await attended(app, code: "B-4", office: "Oficina Bello", day: "2026-11-30", phone: nil)
            try await attended(app, code: "B-5", office: "Oficina Bello", day: "2026-12-01", phone: "+573001110009")
            try await attended(app, code: "B-6", office: "Oficina Bello", day: "2026-10-31", phone: "+573001110008")

            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let desk = try await supervisor.get("backoffice/encuestas")
            #expect(desk.status == .ok && desk.body.contains("Próxima encuesta sugerida: <strong>2026-11</strong>"))
            let bad = try await supervisor.post("backoffice/encuestas", ["csrf": supervisor.csrf, "mes": "2026-11", "telefonos": "300 111 0003\n12345"])
            #expect(bad.status == .badRequest && bad.body.contains("12345") && bad.body.contains("300 111 0003"))
            let future = try await supervisor.post("backoffice/encuestas", ["csrf": supervisor.csrf, "mes": "2027-01", "telefonos": ""])
            #expect(future.status == .badRequest && future.body.contains("Elige un mes"))
            #expect(try await SurveyCampaign.query(on: app.db).count() == 0)

            let launched = try await supervisor.post("backoffice/encuestas", ["csrf": supervisor.csrf, "mes": "2026-11", "telefonos": "300 111 0003\n+57 300 111 0002\n\n"])
            #expect(launched.status == .ok && launched.body.contains("enviada por SMS a 3 clientes (2 atendidos en oficinas, 1 por la línea telefónica)"))
            let twice = try await supervisor.post("backoffice/encuestas", ["csrf": supervisor.csrf, "mes": "2026-11", "telefonos": ""])
            #expect(twice.status == .conflict && twice.body.contains("Ya se envió la encuesta de 2026-11"))

            try await drainJobs(app)
            let sent = try await links(app)
            #expect(sent.map(\.to).sorted() == ["+573001110001", "+573001110002", "+573001110003"])
            #expect(sent.allSatisfy { $0.body.contains("Responde 5 preguntas") })
            let first = try #require(sent.first { $0.to == "+573001110001" })
            let invitation = try #require(try await SurveyInvitation.query(on: app.db).filter(\.$phone == "+573001110001").first())
            #expect(invitation.office == "Oficina Envigado" && invitation.municipality == "Envigado")

            let visitor = try OfficeBrowser(app)
            let page = try await visitor.get("encuesta/\(first.token)")
            #expect(SurveyInvitations.campaignQuestions.allSatisfy { page.body.contains($0.text) })
            let partial = try await visitor.post("encuesta/\(first.token)", ["general": "5", "espera": "3"])
            #expect(partial.status == .badRequest && partial.body.contains("faltan 3"))
            for (index, link) in sent.prefix(2).enumerated() {
                let scores = index == 0 ? ["5", "3", "4", "5", "4"] : ["2", "2", "4", "3", "1"]
                var form = Dictionary(uniqueKeysWithValues: zip(SurveyInvitations.campaignQuestions.map(\.id), scores))
                form["comentario"] = ""
                #expect(try await visitor.post("encuesta/\(link.token)", form).body.contains("Recibimos tus respuestas"))
            }
            let results = try await app.surveyCampaigns().results()
            #expect(results.count == 1)
            #expect(results.first?.answered == 2 && results.first?.invited == 3)
            #expect(results.first?.averages.map(\.value) == ["3,5", "2,5", "4,0", "4,0", "2,5"])
            let shown = try await supervisor.get("backoffice/encuestas")
            #expect(shown.body.contains("Respondieron 2 de 3 clientes") && shown.body.contains("Próxima encuesta sugerida: <strong>2027-03</strong>"))
            #expect(shown.body.contains("<p>Cada cuatro meses se encuesta"))
            // The period is the utility's setting (the seeds say four months and three).
            app.utilityProfile?.surveys = .init(campaignEveryMonths: 3)
            let quarterly = try await supervisor.get("backoffice/encuestas")
            #expect(quarterly.body.contains("<p>Cada tres meses se encuesta") && quarterly.body.contains("Próxima encuesta sugerida: <strong>2027-02</strong>"))

            // The campaign's results are November's indicator: the general question's average,
            // and each question's; October had no campaign.
            let november = try await app.indicatorService().month(BillingPeriod("2026-11")!)
            #expect(november.figure(.campaignSatisfaction) == Figure(indicator: .campaignSatisfaction, dimension: .total, value: 3.5, cases: 2))
            let questions = SurveyInvitations.campaignQuestions
            #expect(november.figure(.campaignSatisfaction, .question("espera", text: questions[1].text))?.value == 2.5)
            #expect(november.figure(.campaignSatisfaction, .question("solucion", text: questions[4].text))?.value == 2.5)
            #expect(try await app.indicatorService().month(BillingPeriod("2026-10")!).figure(.campaignSatisfaction)?.value == nil)
            try await app.testing().test(.GET, "indicadores.csv?mes=2026-11") { response in
                #expect(response.body.string.contains("2026-11,encuesta_periodica,total,3.50,calificación de 1 a 5,2\r\n"))
                #expect(response.body.string.contains("2026-11,encuesta_periodica,pregunta:amabilidad,4.00,calificación de 1 a 5,2\r\n"))
            }

            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice/encuestas").status == .forbidden)
        }
    }

    @Test("A month with nobody to survey is refused, and nothing is recorded")
    func emptyCampaign() async throws {
        try await withEmaApp(clock: AppClock.Manual(bogota(9, 0, on: "2026-12-02")).clock) { app in
            await #expect(throws: SurveyCampaignError.noRecipients) {
                _ = try await app.surveyCampaigns().launch(month: "2026-11", phoneLines: "", by: "s@ema.demo")
            }
            await #expect(throws: SurveyCampaignError.invalidMonth) {
                _ = try await app.surveyCampaigns().launch(month: "noviembre", phoneLines: "", by: "s@ema.demo")
            }
            let campaigns = try await SurveyCampaign.query(on: app.db).count()
            #expect(campaigns == 0)
        }
    }
}
