import EmaCore
import Foundation
import Testing

@Suite("Conversation engine: amount due, copy of the bill, paying")
struct AssistantBillTests {
    func started(_ channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    var documents: (Conversation) -> [String] {
        { chat in chat.replies.compactMap { if case .document(let url, _, _) = $0 { url } else { nil } } }
    }

    func links(_ chat: Conversation) -> [String] {
        chat.replies.compactMap { if case .link(let url, _) = $0 { url } else { nil } }
    }

    @Test("«cuánto debo» on the web asks for the contract, then tells the balance with masked data only")
    func amountByContractNumber() async throws {
        var chat = try await started()
        try await chat.say("cuánto debo")
        #expect(chat.state.step == .askBillContract)
        try await chat.say("10.234.567")
        #expect(chat.text.contains("Contrato 10234567 · CL 50 # 45-**"))
        #expect(chat.text.contains("Ma*** Re***"))
        #expect(!chat.text.contains("AP 301"))
        #expect(chat.text.contains("$ 242.900"))
        #expect(chat.text.contains("23 de noviembre de 2026"))
        #expect(chat.state.step == .billActions)
        #expect(chat.choiceIDs.contains("factura_pagar"))
    }

    @Test("After paying, the same question says the bill is paid and nothing is owed")
    func amountAfterPayment() async throws {
        var chat = try await started()
        try await chat.say("cuánto debo")
        try await chat.say("10234567")
        #expect(chat.text.contains("Saldo a pagar: $ 242.900"))
        await chat.effects.pay("10234567", "noviembre de 2026", 242_900)
        try await chat.pick("factura_valor")
        #expect(chat.text.contains("ya está pagada"))
        #expect(chat.text.contains("tu saldo es $ 0"))
        try await chat.pick("factura_pagar")
        #expect(chat.text.contains("No tienes saldo pendiente"))
        #expect(links(chat).isEmpty)
    }

    @Test("An overdue bill says so, and older unpaid bills add up in the total")
    func overdueAndOlderBalance() async throws {
        var chat = try await started()
        await chat.effects.setToday(CivilDate("2026-11-25")!)
        await chat.effects.pay("10234567", "octubre de 2026", -38_100)
        try await chat.say("valor a pagar de mi factura")
        try await chat.say("10234567")
        #expect(chat.text.contains("venció el 23 de noviembre de 2026"))
        #expect(chat.text.contains("facturas anteriores por $ 38.100"))
        #expect(chat.text.contains("En total debes $ 281.000"))
    }

    @Test("On WhatsApp the sender's only enrolled contract is used without asking; «duplicado» sends the PDF")
    func whatsAppUsesEnrollment() async throws {
        var chat = try await started(.whatsapp, senderPhone: "+573001234567")
        await chat.effects.preEnroll("+573001234567", ["20345678"])
        try await chat.say("necesito el duplicado de la factura")
        #expect(documents(chat) == ["http://127.0.0.1:8080/facturas/token-20345678.pdf"])
        #expect(chat.text.contains("Factura de noviembre de 2026, contrato 20345678"))
        try await chat.pick("factura_pagar")
        #expect(links(chat) == ["http://127.0.0.1:8080/factura/20345678"])
        #expect(chat.text.contains("$ 98.000"))
    }

    @Test("With several enrolled contracts Ema asks which one; «otro contrato» lets the customer type one")
    func severalEnrollments() async throws {
        var chat = try await started(.whatsapp, senderPhone: "+573001234567")
        await chat.effects.preEnroll("+573001234567", ["10234567", "20345678"])
        try await chat.say("quiero pagar la factura")
        #expect(chat.state.step == .chooseBillContract)
        #expect(chat.choiceIDs == ["factura_contrato:10234567", "factura_contrato:20345678", "factura_otro_contrato"])
        try await chat.say("2")
        #expect(links(chat) == ["http://127.0.0.1:8080/factura/20345678"])
        try await chat.pick("factura_otro_contrato")
        #expect(chat.state.step == .askBillContract)
        try await chat.say("10234567")
        #expect(links(chat) == ["http://127.0.0.1:8080/factura/10234567"])
    }

    @Test("Unknown contracts are answered kindly; after five the conversation stops looking")
    func unknownContracts() async throws {
        var chat = try await started()
        try await chat.say("cuanto debo")
        try await chat.say("abc")
        #expect(chat.text.contains("entre 4 y 12 dígitos"))
        for attempt in 1...4 {
            try await chat.say("9999000\(attempt)")
            #expect(chat.text.contains("No encontré el contrato 9999000\(attempt)"))
            #expect(chat.state.step == .askBillContract)
        }
        try await chat.say("99990005")
        #expect(chat.text.contains("no puedo seguir buscando contratos"))
        #expect(chat.state.step == .mainMenu)
        try await chat.say("cuanto debo")
        try await chat.say("10234567")
        #expect(chat.text.contains("no puedo seguir buscando contratos"))
    }

    @Test("The main menu's bill option offers the four actions, and «menú» leaves the procedure")
    func menuEntry() async throws {
        var chat = try await started()
        try await chat.pick("menu_factura")
        #expect(chat.choiceIDs == ["factura_valor", "factura_duplicado", "factura_pagar", "factura_cupon", "menu"])
        try await chat.pick("factura_duplicado")
        #expect(chat.state.step == .askBillContract)
        try await chat.say("20345678")
        #expect(documents(chat).count == 1)
        try await chat.say("menú")
        #expect(chat.state.step == .mainMenu)
        #expect(chat.state.billContract == nil)
    }
}
