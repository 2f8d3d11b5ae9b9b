@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Ema's usage statistics and the utility teaching her")
struct UsageAndTeachingTests {
    static func count(_ rows: [AssistantUsage.Row], _ metric: AssistantUsage.Metric, _ detail: String = "") -> Int {
        rows.filter { $0.metric == metric.rawValue && $0.detail == detail }.reduce(0) { $0 + $1.value }
    }

    @Test("A scripted conversation is counted as it happened: conversation, messages, intents, not understood, the funnel, containment")
    func countsOfAConversation() async throws {
        try await withEmaApp { app in
            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.pick("consentimiento_si")       // a choice: a message, no intent
            try await chat.say("quiero la factura por whatsapp")   // understood; enrollment starts
            try await chat.say("300 555 0123")              // number given, code sent
            try await chat.say("qwerty asdf zxcv")          // a wrong code: not an intent, not counted as not understood
            try await chat.say("menú")
            try await chat.say("quién ganó el clásico ayer en el Atanasio")  // not understood
            try await chat.say("quién ganó el clásico ayer en el Atanasio")  // again: the same phrase, counted twice
            let today = app.clock.today
            let rows = try await AssistantUsage.rows(from: today, to: today, on: app.db)
            #expect(rows.allSatisfy { $0.channel == "web" && $0.day == today.description })
            #expect(Self.count(rows, .conversaciones) == 1)
            #expect(Self.count(rows, .mensajes) == 7)
            #expect(Self.count(rows, .entendidos, Intent.inscribirFacturaWhatsapp.rawValue) == 1)
            #expect(Self.count(rows, .noEntendidos) == 2)
            #expect(Self.count(rows, .escaladas) == 1)
            #expect(Self.count(rows, .embudo, "inscripcion:0") == 1 && Self.count(rows, .embudo, "inscripcion:1") == 1)
            #expect(Self.count(rows, .embudo, "inscripcion:2") == 0)
            let report = UsageReport(from: today, to: today, rows: rows)
            #expect(report.totals.containment == 0)
            #expect(report.totals.outOfScopeRate == 2.0 / 3.0)
            // The phrase is kept once, masked (the stadium's name is a name), with its count.
            let phrases = try await UnrecognizedPhrases.phrases(status: .pendiente, on: app.db)
            #expect(phrases.map(\.text) == ["quién ganó el clásico ayer en el [nombre]"] && phrases.first?.count == 2)
            // Nothing personal in the counts: no number, no conversation.
            #expect(!rows.contains { $0.detail.contains("300") || $0.detail.contains(chat.sessionID) })
        }
    }

    @Test("The report from hand-computed counts: rates, containment, funnel drop-off, every day of the period")
    func reportFromFixtures() {
        let from = CivilDate(year: 2026, month: 12, day: 1)!, to = CivilDate(year: 2026, month: 12, day: 3)!
        func row(_ day: String, _ channel: String, _ metric: AssistantUsage.Metric, _ value: Int, _ detail: String = "") -> AssistantUsage.Row {
            AssistantUsage.Row(day: day, channel: channel, metric: metric.rawValue, detail: detail, value: value)
        }
        let rows = [
            row("2026-12-01", "web", .conversaciones, 10), row("2026-12-01", "whatsapp", .conversaciones, 30),
            row("2026-12-01", "web", .entendidos, 12, "valor_a_pagar"), row("2026-12-01", "whatsapp", .entendidos, 20, "saludo"),
            row("2026-12-01", "whatsapp", .articulo, 3, "la-tarjeta-somos"), row("2026-12-01", "whatsapp", .noEntendidos, 5),
            row("2026-12-01", "whatsapp", .escaladas, 8), row("2026-12-01", "web", .asesor, 4),
            row("2026-12-03", "web", .conversaciones, 10), row("2026-12-03", "web", .escaladas, 2),
            row("2026-12-01", "web", .embudo, 20, "inscripcion:0"), row("2026-12-01", "web", .embudo, 15, "inscripcion:1"),
            row("2026-12-01", "web", .embudo, 12, "inscripcion:2"), row("2026-12-01", "web", .embudo, 0, "inscripcion:3"),
        ]
        let report = UsageReport(from: from, to: to, rows: rows)
        #expect(report.totals.conversations == 50)
        #expect(report.totals.read == 40 && report.totals.outOfScopeRate == 5.0 / 40.0)
        #expect(report.totals.containment == 40.0 / 50.0)
        #expect(report.days.map(\.day.description) == ["2026-12-01", "2026-12-02", "2026-12-03"])
        #expect(report.days.map(\.totals.conversations) == [40, 0, 10])
        #expect(report.days[1].totals.containment == nil)
        #expect(report.channels["whatsapp"]?.conversations == 30)
        #expect(report.intents.first?.intent == .saludo && report.intents.first?.count == 20)
        let enrollment = try! #require(report.funnels.first { $0.funnel == .inscripcion }?.steps)
        #expect(enrollment.map(\.count) == [20, 15, 12, 0, 0])
        #expect(enrollment.map(\.kept) == [nil, 0.75, 0.8, 0, 0])
    }

    @Test("The statistics page and its CSV: staff with the right role only, figures in es-CO")
    func page() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            #expect(try await UsageDemo.load(into: app) == 30)
            #expect(try await UsageDemo.load(into: app) == 0)
            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let page = try await office.get("backoffice/uso-de-ema")
            #expect(page.status == .ok && page.body.contains("Conversaciones por día") && page.body.contains("<svg"))
            #expect(page.body.contains("Inscripción a la factura por WhatsApp") && page.body.contains("Quedó inscrito"))
            let yesterday = app.clock.today.adding(days: -1)
            let rows = try await AssistantUsage.rows(from: yesterday, to: yesterday, on: app.db)
            let conversations = Self.count(rows, .conversaciones)
            #expect(conversations > 100)
            #expect(page.body.contains(SpanishNumber.integer(conversations)))
            let csv = try await office.get("backoffice/uso-de-ema.csv?desde=\(yesterday)&hasta=\(yesterday)&canal=whatsapp")
            #expect(csv.body.hasPrefix("dia,canal,metrica,detalle,valor\r\n"))
            #expect(csv.body.contains("\(yesterday),whatsapp,conversaciones,,") && !csv.body.contains(",web,"))
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice/uso-de-ema").status == .forbidden)
            #expect(try await agent.get("backoffice/ensenar").status == .forbidden)
        }
    }

    @Test("The teaching loop: a phrase not understood, taught by staff on one node, understood on another without a restart; undone, not understood again")
    func teachingAcrossNodes() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let phrase = "quiero el certificado de paz y salvo"
            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.pick("consentimiento_si")
            try await chat.say(phrase)
            #expect(chat.text.contains("no entendí"))

            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let page = try await office.get("backoffice/ensenar")
            #expect(page.body.contains("«\(phrase)»"))
            let pending = try #require(try await UnrecognizedPhrases.phrases(status: .pendiente, on: app.db).first)
            let refused = try await office.post("backoffice/ensenar", ["csrf": office.csrf, "frases[]": pending.id.uuidString, "accion": "intencion"])
            #expect(refused.status == .badRequest && refused.body.contains("Elige la intención"))
            let taught = try await office.post("backoffice/ensenar", ["csrf": office.csrf, "frases[]": pending.id.uuidString, "accion": "intencion",
                                                                      "intencion": Intent.valorAPagar.rawValue])
            #expect(taught.location == "/backoffice/ensenar?aviso=intencion")
            let after = try await office.get("backoffice/ensenar")
            #expect(after.body.contains("Valor a pagar de la factura") && after.body.contains("→") && !after.body.contains("«\(phrase)» <span"))
            let change = try #require(try await TaughtExamples.changes(on: app.db).first)
            #expect(change.accuracyBefore > 0.9 && change.phrases == [phrase])

            try await withSecondNode(of: app) { other in
                var there = ChatClient(app: other)
                try await there.start()
                try await there.pick("consentimiento_si")
                try await there.say(phrase)
                #expect(there.text.contains("número del contrato"))

                _ = try await office.get("backoffice/ensenar")
                let undone = try await office.post("backoffice/ensenar/deshacer", ["csrf": office.csrf, "cambio": change.id.uuidString])
                #expect(undone.location == "/backoffice/ensenar?aviso=deshecho")
                try await there.say("menú")
                try await there.say(phrase)
                #expect(there.text.contains("no entendí"))
            }
            #expect(try await UnrecognizedPhrases.phrases(status: .pendiente, on: app.db).map(\.text) == [phrase])
        }
    }

    @Test("A change that makes Ema read the held-out phrases worse is flagged on the page, and can be undone")
    func loweringFlagged() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            // Held-out thanks, as if Ema had not understood them, taught as «No»: she now reads them wrong.
            let thanks = try app.heldOutExamples().filter { $0.intent == .gracias }
            for example in thanks { try await UnrecognizedPhrases.record(example.text, at: app.clock.now(), on: app.db) }
            let phrases = try await UnrecognizedPhrases.phrases(status: .pendiente, on: app.db)
            #expect(phrases.count == Set(thanks.map { TextNormalizer.normalize(PhraseMask.mask($0.text)) }).count)
            let change = try await Teaching(application: app).teach(phrases, as: .negar, by: "supervisor@ema.demo", at: app.clock.now(), on: app.db)
            let taught = try #require(try await TaughtExamples.changes(on: app.db).first)
            #expect(taught.id == change && taught.lowersAccuracy && taught.accuracyAfter < taught.accuracyBefore)
            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let page = try await office.get("backoffice/ensenar")
            #expect(page.body.contains("Bajó la exactitud") && page.body.contains("class=\"baja\""))
            _ = try await office.post("backoffice/ensenar/deshacer", ["csrf": office.csrf, "cambio": change.uuidString])
            let classifier = try await app.intentModels.current(on: app.db)
            let evaluation = IntentEvaluation(classifier: classifier, examples: try app.heldOutExamples())
            #expect(evaluation.accuracy == taught.accuracyBefore)
        }
    }
}
