@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A browser in the back office: keeps the session cookie and reads the form token.
final class OfficeBrowser: @unchecked Sendable {
    let tester: any TestingApplicationTester
    var cookie: String?
    var csrf = ""
    /// The cookies the last POST set (the kiosk's, for one).
    var lastSetCookies: HTTPCookies?

    init(_ app: Application) throws {
        tester = try app.testing()
    }

    struct Page { let status: HTTPResponseStatus; let location: String; let body: String }

    func get(_ path: String) async throws -> Page {
        var page = Page(status: .ok, location: "", body: "")
        var headers = HTTPHeaders()
        if let cookie { headers.add(name: .cookie, value: "ema_staff=\(cookie)") }
        try await tester.test(.GET, path, headers: headers, afterResponse: { response in
            page = Page(status: response.status, location: response.headers.first(name: .location) ?? "", body: response.body.string)
        })
        if let range = page.body.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) {
            csrf = String(page.body[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
        return page
    }

    func post(_ path: String, _ fields: [String: String], headers extra: HTTPHeaders = [:]) async throws -> Page {
        var page = Page(status: .ok, location: "", body: "")
        var headers = extra
        if let cookie { headers.add(name: .cookie, value: "ema_staff=\(cookie)") }
        try await tester.test(.POST, path, headers: headers, beforeRequest: { request in
            try request.content.encode(fields, as: .urlEncodedForm)
        }, afterResponse: { response in
            page = Page(status: response.status, location: response.headers.first(name: .location) ?? "", body: response.body.string)
            if let set = response.headers.setCookie?["ema_staff"] { self.cookie = set.string.isEmpty ? nil : set.string }
            self.lastSetCookies = response.headers.setCookie
        })
        return page
    }

    @discardableResult
    func signIn(_ email: String, _ password: String, next: String = "/backoffice") async throws -> Page {
        try await post("backoffice/ingresar", ["correo": email, "clave": password, "siguiente": next])
    }
}

@Suite("Staff accounts, sign-in and sessions")
struct StaffTests {
    func withStaff(clock: AppClock? = nil, _ body: (Application) async throws -> Void) async throws {
        try await withEmaApp(clock: clock) { app in
            try await app.staffService().loadDemoAccounts()
            try await body(app)
        }
    }

    @Test("Accounts: a good one is created; bad e-mail, name, role, short password and duplicates are refused in Spanish")
    func create() async throws {
        try await withEmaApp { app in
            let service = app.staffService()
            let account = try await service.create(email: " Laura.Gomez@EPM.com.co ", name: "Laura Gómez", role: "Supervisor", password: "una-clave-larga-1")
            #expect(account.email == "laura.gomez@epm.com.co")
            #expect(account.roleValue == .supervisor)
            #expect(account.passwordHash.hasPrefix("$2"))
            #expect(!account.passwordHash.contains("una-clave"))
            let cases: [(String, String, String, String, StaffService.Problem)] = [
                ("sin-arroba", "Ana Pérez", "agente", "clave-suficiente", .invalidEmail),
                ("ana@epm.co", "A", "agente", "clave-suficiente", .invalidName),
                ("ana@epm.co", "Ana Pérez", "jefe", "clave-suficiente", .invalidRole),
                ("ana@epm.co", "Ana Pérez", "agente", "corta", .shortPassword),
                ("LAURA.GOMEZ@epm.com.co", "Otra Laura", "agente", "clave-suficiente", .duplicate),
            ]
            for (email, name, role, password, problem) in cases {
                await #expect(throws: problem) { _ = try await service.create(email: email, name: name, role: role, password: password) }
            }
            #expect(StaffService.Problem.shortPassword.description.contains("al menos 12 caracteres"))
            #expect(try await StaffAccount.query(on: app.db).count() == 1)
            #expect(try await StaffAuditEntry.query(on: app.db).filter(\.$action == "cuenta_creada").count() == 1)
        }
    }

    @Test("Sign-in: the right password opens the back office; a wrong one and an unknown e-mail get the same answer")
    func signIn() async throws {
        try await withStaff { app in
            let office = try OfficeBrowser(app)
            let home = try await office.get("backoffice")
            #expect(home.status == .seeOther)
            #expect(home.location.hasPrefix("/backoffice/ingresar?siguiente="))
            let wrong = try await office.signIn("supervisor@ema.demo", "no-es-la-clave")
            let unknown = try await office.signIn("nadie@ema.demo", "no-es-la-clave")
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.body.contains("El correo o la contraseña no coinciden"))
            #expect(unknown.body.replacingOccurrences(of: "nadie@ema.demo", with: "X") == wrong.body.replacingOccurrences(of: "supervisor@ema.demo", with: "X"))
            #expect(office.cookie == nil)
            let ok = try await office.signIn("Supervisor@ema.demo", "supervisor-demo-2026", next: "/backoffice/envios")
            #expect(ok.status == .seeOther && ok.location == "/backoffice/envios")
            #expect(office.cookie?.count == 64)
            let page = try await office.get("backoffice")
            #expect(page.status == .ok)
            #expect(page.body.contains("Sergio Supervisor"))
            #expect(office.csrf.count == 64)
            // The token is stored only as a digest.
            let stored = try #require(try await StaffSession.query(on: app.db).first())
            #expect(stored.tokenHash != office.cookie && stored.tokenHash == Hex.sha256(office.cookie!))
            let actions = try await StaffAuditEntry.query(on: app.db).sort(\.$at).all().map(\.action)
            #expect(actions.suffix(3) == ["ingreso_fallido", "ingreso_fallido", "ingreso"])
            #expect(try await StaffAuditEntry.query(on: app.db).all().allSatisfy { !$0.detail.contains("no-es-la-clave") })
        }
    }

    @Test("Only back-office paths are accepted as the page to return to")
    func safeNext() {
        #expect(BackOfficeController.safeNext("/backoffice/envios/2026-11") == "/backoffice/envios/2026-11")
        for bad in ["https://malo.example/backoffice", "//malo.example", "/factura", "/backoffice\\..\\x", nil] {
            #expect(BackOfficeController.safeNext(bad) == "/backoffice")
        }
    }

    @Test("Five wrong passwords lock the account for a while, even with the right one, without saying whether it exists")
    func rateLimit() async throws {
        try await withStaff { app in
            let office = try OfficeBrowser(app)
            for _ in 0..<5 { try await office.signIn("agente@ema.demo", "equivocada-123") }
            let locked = try await office.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.body.contains("espera"))
            #expect(office.cookie == nil)
            for _ in 0..<5 { try await office.signIn("fantasma@ema.demo", "equivocada-123") }
            #expect(try await office.signIn("fantasma@ema.demo", "x").status == .tooManyRequests)
        }
    }

    @Test("Sessions end after 30 idle minutes and after 12 hours however active; signing out ends them at once")
    func expiry() async throws {
        let manual = AppClock.Manual(Date())
        try await withStaff(clock: manual.clock) { app in
            let office = try OfficeBrowser(app)
            try await office.signIn("admin@ema.demo", "admin-demo-2026")
            manual.advance(by: 29 * 60)
            #expect(try await office.get("backoffice").status == .ok)
            manual.advance(by: 31 * 60)
            #expect(try await office.get("backoffice").status == .seeOther)

            try await office.signIn("admin@ema.demo", "admin-demo-2026")
            for _ in 0..<25 {
                manual.advance(by: 29 * 60)
                _ = try await office.get("backoffice")
            }
            #expect(try await office.get("backoffice").status == .seeOther)

            try await office.signIn("admin@ema.demo", "admin-demo-2026")
            let token = try #require(office.cookie)
            _ = try await office.get("backoffice")
            let out = try await office.post("backoffice/salir", ["csrf": office.csrf])
            #expect(out.status == .seeOther)
            office.cookie = token
            #expect(try await office.get("backoffice").status == .seeOther)
            #expect(try await StaffSession.query(on: app.db).count() == 0)
        }
    }

    @Test("A POST without the form token, with another token or from another site is refused")
    func csrf() async throws {
        try await withStaff { app in
            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            _ = try await office.get("backoffice")
            let missing = try await office.post("backoffice/salir", [:])
            #expect(missing.status == .forbidden)
            #expect(missing.body.contains("El formulario venció o no es válido"))
            #expect(try await office.post("backoffice/salir", ["csrf": String(repeating: "a", count: 64)]).status == .forbidden)
            #expect(try await office.post("backoffice/salir", ["csrf": office.csrf], headers: ["Sec-Fetch-Site": "cross-site"]).status == .forbidden)
            #expect(try await office.post("backoffice/salir", ["csrf": office.csrf], headers: ["Origin": "https://malo.example"]).status == .forbidden)
            #expect(try await StaffSession.query(on: app.db).count() == 1)
            // This site's own origin passes.
            #expect(try await office.post("backoffice/salir", ["csrf": office.csrf], headers: ["Origin": "http://127.0.0.1:8080"]).status == .seeOther)
        }
    }

    @Test("Sign-in from another site is refused; signing in again ends the browser's previous session; stale sessions are pruned")
    func signInHygiene() async throws {
        let manual = AppClock.Manual(Date())
        try await withStaff(clock: manual.clock) { app in
            let office = try OfficeBrowser(app)
            let forged = try await office.post("backoffice/ingresar", ["correo": "admin@ema.demo", "clave": "admin-demo-2026"], headers: ["Origin": "https://malo.example"])
            #expect(forged.status == .forbidden)
            #expect(forged.body.contains("llegó desde otro sitio"))
            #expect(office.cookie == nil)
            try await office.signIn("admin@ema.demo", "admin-demo-2026")
            let first = try #require(office.cookie)
            try await office.signIn("admin@ema.demo", "admin-demo-2026")
            #expect(office.cookie != first)
            #expect(try await StaffSession.query(on: app.db).count() == 1)
            let other = try OfficeBrowser(app)
            try await other.signIn("agente@ema.demo", "agente-demo-2026")
            manual.advance(by: 31 * 60)
            try await PruneStaffSessionsJob.run(JobContext(database: app.db, application: app, logger: app.logger, clock: app.clock), "")
            #expect(try await StaffSession.query(on: app.db).count() == 0)
        }
    }

    @Test("Roles: an agent reaches the back office but not the dispatch; a supervisor does")
    func roles() async throws {
        try await withStaff { app in
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice").status == .ok)
            #expect(!(try await agent.get("backoffice").body.contains("/backoffice/envios")))
            let forbidden = try await agent.get("backoffice/envios")
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.body.contains("Tu rol no tiene acceso a esta sección"))
            let supervisor = try OfficeBrowser(app)
            try await supervisor.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            #expect(try await supervisor.get("backoffice/envios").status == .ok)
        }
    }
}
