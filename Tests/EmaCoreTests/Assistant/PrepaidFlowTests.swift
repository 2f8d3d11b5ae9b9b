import EmaCore
import Foundation
import Testing

@Suite("Conversation engine: the prepaid PIN")
struct PrepaidFlowTests {
    let meter = PrepaidMeterSummary(meter: "45012378901", service: "Energía prepago", recharges: [
        .init(when: "1 de diciembre de 2026, 7:31 a. m.", amountCOP: 20_000, units: "24,0 kWh", pin: "6221 0947 3855 1207 9841"),
    ])

    @Test("On WhatsApp, the meter's registered mobile gets its latest recharges with their PINs")
    func registeredSender() async throws {
        var chat = Conversation(channel: .whatsapp, senderPhone: "+573005550123")
        try await chat.pick("consentimiento_si")
        await chat.effects.setPrepaid("+573005550123", [meter])
        try await chat.say("cuál es el pin de mi recarga de energía prepago")
        #expect(chat.text.contains("Energía prepago, medidor 45012378901") && chat.text.contains("PIN: 6221 0947 3855 1207 9841"))
        #expect(chat.text.contains("$ 20.000 · 24,0 kWh"))
    }

    @Test("Another number, or the web without a verified number, gets the page that sends the registered mobile a code")
    func otherwise() async throws {
        var other = Conversation(channel: .whatsapp, senderPhone: "+573001112233")
        try await other.pick("consentimiento_si")
        await other.effects.setPrepaid("+573005550123", [meter])
        try await other.say("pin de mi prepago")
        #expect(!other.text.contains("6221") && other.text.contains("/prepago"))
        var web = Conversation(channel: .web)
        try await web.pick("consentimiento_si")
        try await web.say("pin de mi prepago")
        #expect(!web.text.contains("6221") && web.text.contains("celular registrado para el medidor"))
    }
}
