import EmaCore
import Testing

@Suite("The paper bill as the terms say")
struct PaperBillPolicyTests {
    @Test("Paper goes on with WhatsApp by default; a utility may stop it; a failed delivery always sends it")
    func reasons() {
        let terms = PaperBillPolicy()
        let stops = PaperBillPolicy(keepWithWhatsApp: false)
        #expect(terms.reasons(channels: [.impresa], enrolled: false, failedDelivery: false) == [.usualChannel])
        #expect(terms.reasons(channels: [.impresa], enrolled: true, failedDelivery: false) == [.keptWithWhatsApp])
        #expect(stops.reasons(channels: [.impresa], enrolled: true, failedDelivery: false).isEmpty)
        #expect(stops.reasons(channels: [.impresa], enrolled: false, failedDelivery: false) == [.usualChannel])
        #expect(terms.reasons(channels: [.correo], enrolled: false, failedDelivery: false).isEmpty)
        #expect(stops.reasons(channels: [.correo], enrolled: true, failedDelivery: true) == [.failedDelivery])
        #expect(terms.reasons(channels: [.impresa, .correo], enrolled: true, failedDelivery: true) == [.keptWithWhatsApp, .failedDelivery])
    }

    @Test("What the customer keeps receiving, in words")
    func kept() {
        #expect(PaperBillPolicy().kept([.impresa, .correo]) == [.impresa, .correo])
        #expect(PaperBillPolicy(keepWithWhatsApp: false).kept([.impresa, .correo]) == [.correo])
        #expect(PaperBillPolicy.keepsSentence([.impresa, .correo]) == "te seguirá llegando impresa en la dirección del servicio y por correo electrónico")
        #expect(PaperBillPolicy.keepsSentence([]) == nil)
        #expect(BillChannel.decode(BillChannel.encode([.correo, .impresa])) == [.impresa, .correo])
        #expect(BillChannel.encode([.correo, .impresa]) == "impresa;correo")
    }
}
