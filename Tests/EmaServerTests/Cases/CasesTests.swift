@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A date at noon in Bogotá (17:00 UTC).
func bogotaNoon(_ text: String) -> Date {
    let day = CivilDate(text)!
    return Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + 17 * 3_600)
}

@Suite("PQR: filing, radicados, lookup, deadlines")
struct CasesTests {
    func withCases(at day: String = "2026-12-01", _ body: (Application, AppClock.Manual) async throws -> Void) async throws {
        let manual = AppClock.Manual(bogotaNoon(day))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            try await app.staffService().loadDemoAccounts()
            try await body(app, manual)
        }
    }

    static func draft(_ type: CaseType = .peticion, contract: String? = nil, name: String? = "Ana María Restrepo") -> CaseDraft {
        var draft = CaseDraft(type: type, channel: .pqrWeb, description: "Necesito saber por qué subió el valor de mi factura este mes.")
        draft.contractNumber = contract
        draft.name = name
        draft.municipality = "Medellín"
        return draft
    }

    @Test("Radicados are sequential per year and restart in January; the code is kept only as a digest")
    func numbering() async throws {
        try await withCases(at: "2026-12-31") { app, clock in
            let service = app.caseService()
            let first = try await service.file(Self.draft())
            let second = try await service.file(Self.draft(.queja))
            #expect(first.radicado == "2026-0000001" && second.radicado == "2026-0000002")
            #expect(CaseAccessCode.normalize(first.code) == first.code)
            clock.advance(by: 86_400)
            let january = try await service.file(Self.draft())
            #expect(january.radicado == "2027-0000001")
            let stored = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == first.radicado).first())
            #expect(stored.codeHash == CaseService.codeHash(radicado: first.radicado, code: first.code))
            #expect(stored.codeHash != first.code && !stored.codeHash.contains(first.code))
            // Filed on 31 December: 15 business days from the next one, over 1 and 12 January 2027.
            #expect(stored.dueOn == CaseDeadlines().due(filed: CivilDate("2026-12-31")!, term: LegalTerm.of(.peticion, serviceRelated: false)).description)
            #expect(stored.dueOn == "2027-01-25")
            let events = try await CaseEvent.query(on: app.db).filter(\.$caseID == stored.requireID()).all()
            #expect(events.map(\.kind) == ["radicado"] && events[0].isPublic)
        }
    }

    @Test("Bad input is refused in Spanish with a stable code, and nothing is stored")
    func badInput() async throws {
        try await withCases { app, _ in
            let service = app.caseService()
            var short = Self.draft()
            short.description = "corto"
            var anonymousClaim = Self.draft(.reclamo, contract: "10234567", name: nil)
            anonymousClaim.anonymous = true
            var badPhone = Self.draft()
            badPhone.phone = "12345"
            var badEmail = Self.draft()
            badEmail.email = "ana@"
            var badFile = Self.draft()
            badFile.files = [.init(filename: "virus.exe", data: Data("MZ\u{90}\u{0}".utf8))]
            var bigFile = Self.draft()
            bigFile.files = [.init(filename: "grande.pdf", data: Data("%PDF-".utf8) + Data(count: CaseService.maxAttachmentBytes))]
            var badPlace = Self.draft()
            badPlace.municipality = "Gotham"
            var badCausal = Self.draft()
            badCausal.causal = "F999"
            let cases: [(CaseDraft, String)] = [
                (short, "description_length"), (Self.draft(name: "  "), "name_required"), (anonymousClaim, "anonymous_not_allowed"),
                (Self.draft(.reclamo), "contract_required"), (Self.draft(contract: "99999999"), "contract_not_found"),
                (badPhone, "invalid_phone"), (badEmail, "invalid_email"), (badFile, "attachment_type"), (bigFile, "attachment_too_large"),
                (badPlace, "unknown_municipality"), (badCausal, "unknown_causal"), (Self.draft(.recursoReposicion, contract: "10234567"), "appeal_parent_required"),
            ]
            for (draft, code) in cases {
                do {
                    _ = try await service.file(draft)
                    Issue.record("\(code) was accepted")
                } catch let error as CaseError {
                    #expect(error.code == code)
                    #expect(!error.reason.isEmpty && error.reason.first!.isUppercase)
                }
            }
            #expect(try await PQRCase.query(on: app.db).count() == 0)
            #expect(try await CaseEvent.query(on: app.db).count() == 0)
            // A failed filing leaves no gap in the numbering.
            #expect(try await service.file(Self.draft()).radicado == "2026-0000001")
        }
    }

    @Test("A claim against a bill more than five months old is extemporaneous")
    func fiveMonths() async throws {
        try await withCases(at: "2026-12-01") { app, _ in
            let contract = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            let invoices = try await Invoice.query(on: app.db).filter(\.$contract.$id == contract.requireID()).sort(\.$issueDate).all()
            let latest = try #require(invoices.last)
            let old = Invoice()
            old.$contract.id = try contract.requireID()
            old.invoiceNumber = "F-VIEJA-1"
            old.period = "2026-05"
            old.issueDate = "2026-06-05"
            old.dueDate = "2026-06-20"
            old.amountCOP = latest.amountCOP
            old.paidCOP = 0
            old.financedCOP = 0
            try await old.create(on: app.db)
            var late = Self.draft(.reclamo, contract: "10234567")
            late.invoiceNumber = "F-VIEJA-1"
            await #expect(throws: CaseError.self) { _ = try await app.caseService().file(late) }
            do { _ = try await app.caseService().file(late) } catch let error as CaseError {
                #expect(error.code == "claim_extemporaneous")
                #expect(error.reason.contains("cinco meses") && error.reason.contains("noviembre de 2026"))
            }
            var timely = Self.draft(.reclamo, contract: "10234567")
            timely.invoiceNumber = latest.invoiceNumber
            let filed = try await app.caseService().file(timely)
            let row = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == filed.radicado).first())
            #expect(row.invoiceNumber == latest.invoiceNumber && row.serviceRelated && row.municipality == contract.municipality && row.segment == contract.segment)
        }
    }

    @Test("Lookup: a wrong code and an unknown radicado give the same answer; guessing is cut off")
    func lookup() async throws {
        try await withCases { app, _ in
            let filed = try await app.caseService().file(Self.draft())
            let tester = try app.testing()
            func post(_ number: String, _ code: String) async throws -> (HTTPResponseStatus, String) {
                var result: (HTTPResponseStatus, String) = (.ok, "")
                try await tester.test(.POST, "radicado", beforeRequest: { request in
                    try request.content.encode(["numero": number, "codigo": code], as: .urlEncodedForm)
                }, afterResponse: { response in result = (response.status, response.body.string) })
                return result
            }
            let found = try await post(filed.radicado, filed.code.lowercased())
            #expect(found.0 == .ok && found.1.contains("Radicada, en estudio"))
            let wrongCode = try await post(filed.radicado, "ZZZZZZ")
            let unknown = try await post("2026-0000999", "ZZZZZZ")
            #expect(wrongCode.0 == .notFound && unknown.0 == .notFound)
            #expect(wrongCode.1.contains("No encontramos una solicitud con ese radicado y ese código"))
            #expect(wrongCode.1.replacingOccurrences(of: filed.radicado, with: "X") == unknown.1.replacingOccurrences(of: "2026-0000999", with: "X"))
            // Ten failures for one radicado, then even the right code waits.
            for _ in 0..<9 { _ = try await post(filed.radicado, "ZZZZZZ") }
            let blocked = try await post(filed.radicado, filed.code)
            #expect(blocked.0 == .tooManyRequests)
            // The JSON interface answers the same way.
            try await tester.test(.POST, "api/v1/pqr/consulta", beforeRequest: { request in
                try request.content.encode(["radicado": "2026-0000998", "code": "ZZZZZZ"])
            }, afterResponse: { response in
                #expect(response.status == .notFound)
                #expect((try? response.content.decode(ErrorMiddleware.Body.self))?.code == "case_not_found")
            })
        }
    }

    @Test("The same submission key gives the same radicado and code, never a second case")
    func doubleSubmit() async throws {
        try await withCases { app, _ in
            var draft = Self.draft()
            draft.submissionKey = "0123456789abcdef0123456789abcdef"
            let service = app.caseService()
            async let one = service.file(draft)
            async let two = service.file(draft)
            let (a, b) = try await (one, two)
            #expect(a.radicado == b.radicado && a.code == b.code)
            #expect(try await PQRCase.query(on: app.db).count() == 1)
            #expect(try await service.lookup(radicado: a.radicado, code: a.code) != nil)
        }
    }

    @Test("Extension: Ley 1755 terms double once with notice before they end; Ley 142 terms do not")
    func extensionRule() async throws {
        try await withCases(at: "2026-12-01") { app, clock in
            let service = app.caseService()
            var petition = Self.draft(.peticion)
            petition.phone = "3001234567"
            let filed = try await service.file(petition)
            let row = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == filed.radicado).first())
            #expect(!row.serviceRelated && row.dueOn == "2026-12-23")
            let until = try await service.extend(row, reason: "Necesitamos un concepto del área técnica.", by: "agente@ema.demo")
            #expect(until.description == "2027-01-18")
            #expect(row.effectiveDue == "2027-01-18")
            await #expect(throws: CaseError.self) { _ = try await service.extend(row, reason: "Otra vez, por favor.", by: "agente@ema.demo") }
            let claim = try await service.file(Self.draft(.reclamo, contract: "10234567"))
            let claimRow = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == claim.radicado).first())
            await #expect(throws: CaseError.self) { _ = try await service.extend(claimRow, reason: "Necesitamos más tiempo para revisar.", by: "agente@ema.demo") }
            // After the term ends, no extension either.
            let other = try await service.file(Self.draft(.consulta))
            let otherRow = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == other.radicado).first())
            clock.advance(by: 60 * 86_400)
            await #expect(throws: CaseError.self) { _ = try await service.extend(otherRow, reason: "Necesitamos más tiempo para revisar.", by: "agente@ema.demo") }
        }
    }

    @Test("Alerts: due within two business days once; an overdue service case is flagged for silencio positivo")
    func alerts() async throws {
        try await withCases(at: "2026-12-01") { app, clock in
            let service = app.caseService()
            let claim = try await service.file(Self.draft(.reclamo, contract: "10234567"))
            let petition = try await service.file(Self.draft(.peticion))
            // Due 23 December; on the 21st both are within two business days.
            clock.advance(by: 20 * 86_400)
            var run = try await app.caseService().raiseAlerts()
            #expect(run == .init(dueSoon: 2, positiveSilence: 0))
            run = try await app.caseService().raiseAlerts()
            #expect(run == .init(dueSoon: 0, positiveSilence: 0))
            clock.advance(by: 3 * 86_400)
            run = try await app.caseService().raiseAlerts()
            #expect(run == .init(dueSoon: 0, positiveSilence: 1))
            let claimRow = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == claim.radicado).first())
            let petitionRow = try #require(try await PQRCase.query(on: app.db).filter(\.$radicado == petition.radicado).first())
            #expect(claimRow.positiveSilence && !petitionRow.positiveSilence)
            let kinds = try await CaseEvent.query(on: app.db).filter(\.$caseID == claimRow.requireID()).sort(\.$at).all().map(\.kind)
            #expect(kinds == ["radicado", "alerta", "silencio_positivo"])
        }
    }
}
