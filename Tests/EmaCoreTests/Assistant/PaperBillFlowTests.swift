import EmaCore
import Foundation
import Testing

@Suite("Ema says what keeps coming besides WhatsApp")
struct PaperBillFlowTests {
    /// Verified and at the enrollment's confirmation of `contract`.
    func enroll(_ contract: String, _ chat: inout Conversation) async throws {
        try await chat.reachPhoneQuestion()
        try await chat.say("3001234567")
        try await chat.say("482913")
        try await chat.say("María Fernanda Restrepo")
        try await chat.say(contract)
        try await chat.pickRightAddress()
        try await chat.pick("confirmar_si")
    }

    @Test("A utility whose terms let WhatsApp replace the paper says the paper stops (and comes back after a failed delivery)")
    func paperStops() async throws {
        var chat = Conversation()
        chat.knowing { $0.paperBill = PaperBillPolicy(keepWithWhatsApp: false) }
        try await enroll("10234567", &chat)
        #expect(chat.text.contains("Desde la próxima factura ya no te llegará impresa: la recibirás por WhatsApp (y, si una entrega falla, impresa)."))
        #expect(!chat.text.contains("WhatsApp no reemplaza"))
    }

    @Test("A contract billed by e-mail keeps its e-mail, and removing it says so")
    func email() async throws {
        var chat = Conversation()
        try await enroll("40567890", &chat)
        #expect(chat.text.contains("WhatsApp no reemplaza lo que ya recibes: tu factura te seguirá llegando por correo electrónico."))
        #expect(!chat.text.contains("impresa en la dirección"))
        try await chat.pick("menu")
        try await chat.say("eliminar un contrato")
        try await chat.pick("eliminar:40567890")
        #expect(chat.text.contains("Tu factura te seguirá llegando por correo electrónico."))
        try await chat.pick("eliminar_si")
        #expect(chat.text.contains("eliminé el contrato 40567890") && chat.text.contains("por correo electrónico"))
    }
}
