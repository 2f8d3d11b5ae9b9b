import EmaCore
import Testing

@Suite("Legal terms of PQR")
struct LegalTermsTests {
    let deadlines = CaseDeadlines()
    func date(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test("Service PQR: 15 business days, no extension, silencio positivo; outside the service Ley 1755's terms")
    func terms() {
        for type in [CaseType.peticion, .queja, .reclamo, .recursoReposicion, .recursoApelacion] {
            let term = LegalTerm.of(type, serviceRelated: true)
            #expect(term.businessDays == 15 && !term.extensible && term.positiveSilence, "\(type)")
        }
        let general = LegalTerm.of(.peticion, serviceRelated: false)
        #expect(general.businessDays == 15 && general.extensible && !general.positiveSilence && general.law == "Ley 1755 de 2015, art. 14")
        #expect(LegalTerm.of(.peticionDocumentos, serviceRelated: false).businessDays == 10)
        #expect(LegalTerm.of(.consulta, serviceRelated: false).businessDays == 30)
        #expect(!LegalTerm.of(.sugerencia, serviceRelated: true).positiveSilence)
    }

    @Test("Deadlines on the Colombian calendar; a reclamo is overdue the day after")
    func due() {
        let reclamo = LegalTerm.of(.reclamo, serviceRelated: true)
        #expect(deadlines.due(filed: date("2026-03-18"), term: reclamo) == date("2026-04-13"))
        #expect(!deadlines.isOverdue(due: date("2026-04-13"), today: date("2026-04-13")))
        #expect(deadlines.isOverdue(due: date("2026-04-13"), today: date("2026-04-14")))
        #expect(deadlines.due(filed: date("2026-05-13"), term: LegalTerm.of(.peticionDocumentos, serviceRelated: false)) == date("2026-05-28"))
    }

    @Test("An extension doubles an extensible term if notified before it ends; a service reclamo cannot be extended")
    func extending() {
        let consulta = LegalTerm.of(.consulta, serviceRelated: false)
        let filed = date("2026-03-18")
        let due = deadlines.due(filed: filed, term: consulta)
        let extended = deadlines.extended(filed: filed, term: consulta, noticeOn: due)
        #expect(extended == ColombianCalendar().adding(businessDays: 60, to: filed))
        #expect(deadlines.extended(filed: filed, term: consulta, noticeOn: due.adding(days: 1)) == nil)
        #expect(deadlines.extended(filed: filed, term: LegalTerm.of(.reclamo, serviceRelated: true), noticeOn: filed) == nil)
    }

    @Test("A recurso may be filed within 5 business days of the notification")
    func appeal() {
        // Notified Friday 2026-03-20: Monday 23 is a holiday, so the five days are 24–27 and 30.
        #expect(deadlines.appealWindowEnd(notified: date("2026-03-20")) == date("2026-03-30"))
        #expect(deadlines.appealWindowEnd(notified: date("2026-03-10")) == date("2026-03-17"))
    }

    @Test("Claims against a bill: 5 calendar months from the day after issue, rolled to a business day")
    func billClaims() {
        // Issued 2026-01-15: the term runs from the 16th to 15 June, a holiday Monday → 16 June.
        #expect(deadlines.billClaimDeadline(issued: date("2026-01-15")) == date("2026-06-16"))
        // Issued 2026-03-03: ends 3 August (a Monday).
        #expect(deadlines.billClaimDeadline(issued: date("2026-03-03")) == date("2026-08-03"))
        // Issued 2026-09-30: from 1 October, ends 28 February 2027 (Sunday) → Monday 1 March.
        #expect(deadlines.billClaimDeadline(issued: date("2026-09-30")) == date("2027-03-01"))
    }
}
