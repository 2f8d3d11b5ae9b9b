@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The desk's queues: how many cases each tab holds, and finding a case by what the customer
/// says on the phone (a radicado, a contract, a mobile, a name).
@Suite("PQR desk: counts on the tabs and search")
struct CaseQueueTests {
    @Test("Each tab says how many cases it holds; a search by radicado, contract, mobile or name finds within the tab")
    func countsAndSearch() async throws {
        try await CaseDeskTests().withDesk { app, _ in
            var withContract = CasesTests.draft(.reclamo, contract: "10234567", name: "Luis Fernando Pérez")
            withContract.phone = "315 222 3344"
            let first = try await app.caseService().file(withContract)
            let second = try await app.caseService().file(CasesTests.draft(.peticion, name: "Ana María Restrepo"))
            let third = try await app.caseService().file(CasesTests.draft(.queja, name: "Ana Lucía Gómez"))
            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let all = try await supervisor.get("backoffice/pqr?vista=todas")
            #expect(all.body.contains(#"Todas las abiertas <span class="count">3</span>"#))
            #expect(all.body.contains(#"Sin asignar <span class="count">3</span>"#) && all.body.contains(#"Mis casos <span class="count">0</span>"#))
            #expect(all.body.contains(#"id="total">3 casos"#))

            func found(_ typed: String) async throws -> (String, [String]) {
                let query = typed.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let page = try await supervisor.get("backoffice/pqr?vista=todas&buscar=\(query)").body
                return (page, [first, second, third].map(\.radicado).filter { page.contains(">\($0)</a>") })
            }
            #expect(try await found(second.radicado).1 == [second.radicado])
            #expect(try await found("10234567").1 == [first.radicado])
            #expect(try await found("315 222 3344").1 == [first.radicado])
            #expect(try await found("ana").1 == [second.radicado, third.radicado])
            let (page, names) = try await found("restrepo ANA")
            #expect(names == [second.radicado] && page.contains(#"id="total">1 caso para «restrepo ANA»"#))
            let (none, nothing) = try await found("Zuleta")
            #expect(nothing.isEmpty && none.contains("No encontramos casos para «Zuleta» en esta cola."))
            // The search stays inside the tab: «Mis casos» holds none of them.
            let mine = try await supervisor.get("backoffice/pqr?vista=mias&buscar=ana").body
            #expect(!mine.contains(">\(second.radicado)</a>"))
        }
    }
}
