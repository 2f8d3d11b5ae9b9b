@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Contacto Transparente: anonymous, sealed, for its role only")
struct TransparencyTests {
    struct Form: Content {
        var que: String
        var donde: String
        var cuando: String
        var quien: String
        var evidencias: [File]
    }

    static let story = "El contratista de lectura cobra 50.000 pesos por no reportar un medidor adulterado."

    func file(_ app: Application) async throws -> (code: String, key: String, body: String) {
        let png = ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 1, count: 32))
        let form = Form(que: Self.story, donde: "Barrio Manrique, Medellín", cuando: "Noviembre de 2026", quien: "Lector con chaleco de contratista",
                        evidencias: [File(data: png, filename: "recibo.png")])
        var result = (code: "", key: "", body: "")
        var headers = HTTPHeaders()
        headers.add(name: .userAgent, value: "NavegadorDePrueba/1.0")
        try await app.testing(method: .running(port: 0)).test(.POST, "transparencia", headers: headers, beforeRequest: { try $0.content.encode(form, as: .formData) }, afterResponse: { response in
            #expect(response.status == .created)
            let body = response.body.string
            func grab(_ id: String) -> String {
                body.range(of: #"id="\#(id)">[A-Z0-9-]+"#, options: .regularExpression).map { String(body[$0].split(separator: ">").last!) } ?? ""
            }
            result = (grab("denuncia-codigo"), grab("denuncia-clave"), body)
        })
        return result
    }

    @Test("Nothing identifying is stored and the content is sealed; the code and key open it, a wrong key does not")
    func anonymity() async throws {
        try await withEmaApp { app in
            let (code, key, _) = try await file(app)
            #expect(code.hasPrefix("CT-") && code.count == 11 && key.count == 12)
            let sql = app.db.sql
            for table in [TransparencyReport.schema, TransparencyEvidence.schema] {
                let rows = try await sql.raw("SELECT * FROM \(ident: table)").all()
                #expect(!rows.isEmpty)
                for row in rows {
                    for column in row.allColumns {
                        let text = (try? row.decode(column: column, as: String.self)) ?? String(decoding: (try? row.decode(column: column, as: Data.self)) ?? Data(), as: UTF8.self)
                        #expect(!text.contains("127.0.0.1") && !text.contains("NavegadorDePrueba") && !text.contains("Manrique") && !text.contains("contratista"), "\(table).\(column)")
                    }
                }
            }
            let columns = Set(try await sql.raw("SELECT * FROM transparency_reports").first()?.allColumns ?? [])
            #expect(columns == ["id", "code", "key_hash", "sealed", "status", "received_on", "sealed_answer", "answered_on"])
            let report = try #require(try await TransparencyReport.query(on: app.db).first())
            #expect(report.receivedOn.count == 10 && report.keyHash != key)

            func consult(_ code: String, _ key: String) async throws -> (HTTPResponseStatus, String) {
                var result: (HTTPResponseStatus, String) = (.ok, "")
                try await app.testing().test(.POST, "transparencia/consulta", beforeRequest: { try $0.content.encode(["codigo": code, "clave": key], as: .urlEncodedForm) },
                                             afterResponse: { result = ($0.status, $0.body.string) })
                return result
            }
            let right = try await consult(code.lowercased(), key.lowercased())
            #expect(right.0 == .ok && right.1.contains("Recibida, en revisión"))
            let wrong = try await consult(code, "AAAAAAAAAAAA")
            let unknown = try await consult("CT-ZZZZZZZZ", "AAAAAAAAAAAA")
            #expect(wrong.0 == .notFound && unknown.0 == .notFound)
            #expect(wrong.1.replacingOccurrences(of: code, with: "X") == unknown.1.replacingOccurrences(of: "CT-ZZZZZZZZ", with: "X"))
        }
    }

    @Test("Reporting leaves no access-log line with its time; other pages still log theirs")
    func noAccessLog() async throws {
        let capture = LogCapture()
        try await withEmaApp(prepare: { $0.logger = capture.logger() }) { app in
            let (code, key, _) = try await file(app)
            try await app.testing(method: .running(port: 0)).test(.POST, "transparencia/consulta", beforeRequest: {
                try $0.content.encode(["codigo": code, "clave": key], as: .urlEncodedForm)
            }) { #expect($0.status == .ok) }
            try await app.testing(method: .running(port: 0)).test(.GET, "transparencia") { #expect($0.status == .ok) }
            try await app.testing(method: .running(port: 0)).test(.GET, "oficinas") { #expect($0.status == .ok) }
        }
        let lines = capture.text.split(separator: "\n")
        #expect(!lines.contains { $0.contains("/transparencia") }, "an access-log line of an anonymous report")
        #expect(lines.contains { $0.contains("GET /oficinas") }, "the log itself works")
    }

    @Test("Only the transparencia role reads and answers reports; the reporter reads the answer with code and key")
    func roles() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let (code, key, _) = try await file(app)
            for (email, password) in [("supervisor@ema.demo", "supervisor-demo-2026"), ("admin@ema.demo", "admin-demo-2026"), ("agente@ema.demo", "agente-demo-2026")] {
                let office = try OfficeBrowser(app)
                try await office.signIn(email, password)
                #expect(try await office.get("backoffice/transparencia").status == .forbidden, "\(email)")
                #expect(try await office.get("backoffice/transparencia/\(code)").status == .forbidden, "\(email)")
            }
            let officer = try OfficeBrowser(app)
            try await officer.signIn("transparencia@ema.demo", "transparencia-demo-2026")
            #expect(try await officer.get("backoffice/pqr").status == .forbidden)
            let list = try await officer.get("backoffice/transparencia")
            #expect(list.status == .ok && list.body.contains(code) && list.body.contains("El contratista de lectura"))
            let detail = try await officer.get("backoffice/transparencia/\(code)")
            #expect(detail.body.contains("recibo.png") && detail.body.contains("Anónimo"))
            let evidence = try await officer.get("backoffice/transparencia/\(code)/evidencia/0")
            #expect(evidence.status == .ok && evidence.body.contains("PNG"))
            let answer = "Abrimos una investigación disciplinaria y retiramos al contratista de la zona."
            let saved = try await officer.post("backoffice/transparencia/\(code)/responder", ["csrf": officer.csrf, "texto": answer])
            #expect(saved.status == .ok && saved.body.contains("Respuesta guardada"))
            let raw = try #require(try await TransparencyReport.query(on: app.db).first()).sealedAnswer ?? Data()
            #expect(!String(decoding: raw, as: UTF8.self).contains("investigación"))
            var page = ""
            try await app.testing().test(.POST, "transparencia/consulta", beforeRequest: { try $0.content.encode(["codigo": code, "clave": key], as: .urlEncodedForm) },
                                         afterResponse: { page = $0.body.string })
            #expect(page.contains(answer) && page.contains("Respondida"))
        }
    }
}
