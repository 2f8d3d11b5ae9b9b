@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("PQR by the JSON interface")
struct PQRAPITests {
    struct Filing: Content {
        let type: String
        let description: String
        let name: String
        let phone: String
        let municipality: String
        let idempotencyKey: String
    }

    @Test("A filing with a mobile sends the radicado and its code by SMS, as the form does, once whatever the retries")
    func smsWithPhone() async throws {
        try await withEmaApp { app in
            let body = Filing(type: "peticion", description: "Solicito una copia del contrato de condiciones uniformes.", name: "Marta Ruiz",
                              phone: "+573005550404", municipality: "Bello", idempotencyKey: "api-sms-prueba-0001")
            var answers: [PQRWebController.APIFiled] = []
            for _ in 0..<2 {
                try await app.testing().test(.POST, "api/v1/pqr", beforeRequest: { try $0.content.encode(body) }, afterResponse: { response in
                    #expect(response.status == .created)
                    answers.append(try response.content.decode(PQRWebController.APIFiled.self))
                })
            }
            #expect(answers.map(\.sms) == ["sent", nil])
            try await drainJobs(app)
            let texts = try await SandboxMessage.query(on: app.db).filter(\.$channel == "sms").filter(\.$recipient == "+573005550404").all().map(\.body)
            #expect(texts.count == 1)
            let radicado = answers[0].radicado
            #expect(texts.first?.contains(radicado) == true && texts.first?.contains(answers[0].code) == true)
            #expect(texts.first?.contains("/radicado?numero=\(radicado)") == true)
        }
    }
}
