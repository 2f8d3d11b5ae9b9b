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

    @Test("The ready-made greeting does not ask for the contract when the conversation already names it")
    func readyReplies() async throws {
        try await withEmaApp { app in
            _ = try await DemoData.load(into: app)
            try await app.staffService().loadDemoAccounts()
            let chats = app.chatService()
            _ = try await chats.start(channel: .web, id: "web-con-contrato")
            #expect(try await chats.update("web-con-contrato") { $0.billContract = "10234567"; return true })
            _ = try await chats.start(channel: .web, id: "web-sin-contrato")
            let service = app.liveChatService()
            let known = try await service.request(AgentRequest(conversationID: "web-con-contrato", channel: .web, phone: nil, transcript: []))
            let unknown = try await service.request(AgentRequest(conversationID: "web-sin-contrato", channel: .web, phone: nil, transcript: []))
            let agent = try await staffContext(app, "agente@ema.demo")
            _ = try await service.take(chat: known.chat, by: agent)
            _ = try await service.take(chat: unknown.chat, by: agent)
            let office = try OfficeBrowser(app)
            try await office.signIn("agente@ema.demo", "agente-demo-2026")
            let withContract = try await office.get("backoffice/chats/\(known.chat)").body
            #expect(withContract.contains("Con mucho gusto te ayudo con el contrato 10234567") && !withContract.contains("me confirmas el número de contrato"))
            let without = try await office.get("backoffice/chats/\(unknown.chat)").body
            #expect(without.contains("me confirmas el número de contrato"))
        }
    }
}
