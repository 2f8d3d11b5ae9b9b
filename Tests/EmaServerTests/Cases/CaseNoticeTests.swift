@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// A case's answer, its extension and its filing commit together with the notice they cause:
/// the SMS waits in the outbox (sent by its job), and when the notice cannot be written the
/// change does not happen either.
@Suite("PQR notices leave through the outbox, in the change's own transaction")
struct CaseNoticeTests {
    /// A supervisor: an agent would first take the case.
    static func staff(_ app: Application) async throws -> StaffContext {
        try await staffContext(app, "supervisor@ema.demo")
    }

    /// A reclamo on the demo's contract whose customer left the mobile 300 123 4567.
    static func claimWithMobile(_ app: Application) async throws -> CaseService.Filed {
        var draft = CasesTests.draft(.reclamo, contract: "10234567")
        draft.phone = "300 123 4567"
        return try await app.caseService().file(draft)
    }

    @Test("The answer's SMS is queued with the answer and sent by its job; the history says it was queued")
    func answerQueued() async throws {
        try await CasesTests().withCases { app, _ in
            let filed = try await Self.claimWithMobile(app)
            let row = try #require(try await PQRCase.find(filed.caseID, on: app.db))
            try await app.caseNotifier().answer(row, decision: .noAccede, text: "Revisamos la lectura del medidor y corresponde al consumo real.", by: try await Self.staff(app))
            let queued = try await app.db.sql.select().columns("state", "purpose").from(SMSOutbox.schema).where("recipient", .equal, SQLBind("+573001234567")).all()
            let state = try queued.first?.decode(column: "state", as: String.self)
            #expect(queued.count == 1 && state == "queued")
            #expect(try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573001234567").count() == 0)
            let proof = try await CaseEvent.query(on: app.db).filter(\.$caseID == filed.caseID).filter(\.$kind == "constancia").all().map(\.detail)
            #expect(proof.contains { $0.contains("en cola") && $0.contains("•") && !$0.contains("1234567") })
            try await drainJobs(app)
            let sent = try await SandboxMessage.query(on: app.db).filter(\.$recipient == "+573001234567").all()
            #expect(sent.count == 1 && sent[0].body.contains(filed.radicado) && sent[0].body.contains("No accede"))
        }
    }

    @Test("When the notice cannot be written, the answer and the extension are not recorded either")
    func answerRollsBack() async throws {
        try await CasesTests().withCases { app, _ in
            let filed = try await Self.claimWithMobile(app)
            // The SMS outbox is gone: queuing the notice fails.
            try await app.db.sql.raw("DROP TABLE \(ident: SMSOutbox.schema)").run()
            let staff = try await Self.staff(app)
            let row = try #require(try await PQRCase.find(filed.caseID, on: app.db))
            await #expect(throws: (any Error).self) {
                try await app.caseNotifier().answer(row, decision: .accede, text: "Le devolvemos el valor cobrado de más en la próxima factura.", by: staff)
            }
            let again = try #require(try await PQRCase.find(filed.caseID, on: app.db))
            #expect(again.statusValue.isOpen && again.answer == nil && again.notifiedAt == nil)
            await #expect(throws: (any Error).self) {
                try await app.caseNotifier().extend(again, reason: "Debemos visitar el predio para revisar el medidor.", by: staff.email)
            }
            #expect(try await PQRCase.find(filed.caseID, on: app.db)?.extendedDueOn == nil)
            let kinds = try await CaseEvent.query(on: app.db).filter(\.$caseID == filed.caseID).all().map(\.kind)
            #expect(!kinds.contains("respuesta") && !kinds.contains("prorroga"))
        }
    }

    @Test("A filing whose SMS cannot be written is not filed; a filed one has its SMS queued")
    func filingTogether() async throws {
        try await CasesTests().withCases { app, _ in
            var draft = CasesTests.draft(.peticion)
            draft.phone = "315 222 3344"
            let (filed, sms) = try await app.caseNotifier().file(draft)
            #expect(sms == .sent(to: "+573152223344"))
            #expect(try await app.db.sql.select().column("id").from(SMSOutbox.schema).where("recipient", .equal, SQLBind("+573152223344")).all().count == 1)
            #expect(try await PQRCase.find(filed.caseID, on: app.db) != nil)
            try await app.db.sql.raw("DROP TABLE \(ident: SMSOutbox.schema)").run()
            let before = try await PQRCase.query(on: app.db).count()
            await #expect(throws: (any Error).self) { _ = try await app.caseNotifier().file(draft) }
            #expect(try await PQRCase.query(on: app.db).count() == before)
        }
    }

    @Test("The answer as a PDF, for whoever has the radicado and its code: the decision, the whole text over its pages, the appeal term")
    func answerPDF() async throws {
        try await CasesTests().withCases { app, _ in
            let filed = try await Self.claimWithMobile(app)
            let row = try #require(try await PQRCase.find(filed.caseID, on: app.db))
            let answer = Array(repeating: "Revisamos la lectura del medidor y el consumo facturado corresponde a la lectura real.", count: 80).joined(separator: " ")
            try await app.caseNotifier().answer(row, decision: .noAccede, text: answer, by: try await Self.staff(app))
            func pdf(_ code: String) async throws -> (HTTPResponseStatus, String) {
                var result: (HTTPResponseStatus, String) = (.ok, "")
                try await app.testing().test(.POST, "radicado/respuesta.pdf", beforeRequest: { request in
                    try request.content.encode(["numero": filed.radicado, "codigo": code], as: .urlEncodedForm)
                }) { result = ($0.status, $0.body.string) }
                return result
            }
            let (status, body) = try await pdf(filed.code)
            #expect(status == .ok && body.hasPrefix("%PDF-"))
            #expect(body.contains("Radicado \(filed.radicado)") && body.contains("No accede") && body.contains("recurso de reposici"))
            #expect(!body.contains("/Count 1 "), "an answer of 7,000 characters takes more than one page")
            #expect(try await pdf("ZZZZZZ").0 == .notFound)
        }
    }

    @Test("Two confirmations of one answer at once (a double click, two people): one answers and notifies, the other is told it was answered")
    func doubleAnswer() async throws {
        try await CasesTests().withCases { app, _ in
            let filed = try await Self.claimWithMobile(app)
            let staff = try await Self.staff(app)
            let first = try #require(try await PQRCase.find(filed.caseID, on: app.db))
            let second = try #require(try await PQRCase.find(filed.caseID, on: app.db))
            let text = "Revisamos la lectura del medidor y el consumo facturado corresponde a la lectura real."
            async let a: Bool = { do { try await app.caseNotifier().answer(first, decision: .noAccede, text: text, by: staff); return true } catch CaseError.alreadyAnswered { return false } }()
            async let b: Bool = { do { try await app.caseNotifier().answer(second, decision: .accede, text: text, by: staff); return true } catch CaseError.alreadyAnswered { return false } }()
            let outcomes = try await [a, b]
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await app.db.sql.select().column("id").from(SMSOutbox.schema).all().count == 1)
            let answers = try await CaseEvent.query(on: app.db).filter(\.$caseID == filed.caseID).filter(\.$kind == "respuesta").count()
            #expect(answers == 1)
        }
    }
}
