@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("What the advisor knows of the customer")
struct CustomerContextTests {
    @Test("Beside a WhatsApp chat: the number's contracts, PQRs and damage reports; beside a number only typed on the web, nothing")
    func besideTheChat() async throws {
        let manual = AppClock.Manual(bogota(11))
        try await withEmaApp(clock: manual.clock) { app in
            _ = try await DemoData.load(into: app)
            try await app.staffService().loadDemoAccounts()
            let phone = "+573001234567"
            let contract = try #require(try await Contract.query(on: app.db).filter(\.$status == "activo").sort(\.$contractNumber).first())
            let enrolled = try await EnrollmentService(database: app.db, clock: app.clock)
                .enroll(EnrollmentRequest(phone: phone, contractNumber: contract.contractNumber, holderName: "Ana Gómez", channel: .whatsapp))
            #expect(enrolled == .enrolled)
            var draft = CaseDraft(type: .peticion, channel: .whatsapp, description: "Solicito una copia de mi contrato de condiciones uniformes.")
            draft.name = "Ana Gómez"
            draft.phone = phone
            let filed = try await app.caseService().file(draft)
            let damage = try await DamageReportService(database: app.db, clock: app.clock)
                .report(DamageFiling(service: .agua, address: "Calle 10 # 20-30, Bello", location: nil, description: "Fuga en la acera", phone: phone, hazard: nil, channel: .whatsapp))
            let service = app.liveChatService()
            let onWhatsApp = try await service.request(AgentRequest(conversationID: "wa:\(phone)", channel: .whatsapp, phone: phone, transcript: []))
            let typedOnWeb = try await service.request(AgentRequest(conversationID: "web-sin-verificar", channel: .web, phone: phone, transcript: [], message: "Necesito ayuda con mi factura"))

            let office = try OfficeBrowser(app)
            try await office.signIn("agente@ema.demo", "agente-demo-2026")
            let page = try await office.get("backoffice/chats/\(onWhatsApp.chat)")
            #expect(page.body.contains("Lo que sabemos del cliente") && page.body.contains(ColombianMobile.display(phone)))
            #expect(page.body.contains("Contrato \(contract.contractNumber)") && page.body.contains(Masking.address(contract.address)))
            #expect(page.body.contains("/backoffice/pqr/\(filed.radicado)") && page.body.contains(damage))
            let other = try await office.get("backoffice/chats/\(typedOnWeb.chat)")
            #expect(other.body.contains("El cliente no verificó un celular"))
            #expect(!other.body.contains(contract.contractNumber) && !other.body.contains(filed.radicado) && !other.body.contains(damage))
        }
    }
}
