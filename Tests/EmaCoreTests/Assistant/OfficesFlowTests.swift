import EmaCore
import Foundation
import Testing

@Suite("Ema's office directory")
struct OfficesFlowTests {
    func ready(channel: Channel = .web, senderPhone: String? = nil) async throws -> Conversation {
        var chat = Conversation(channel: channel, senderPhone: senderPhone)
        try await chat.pick("consentimiento_si")
        return chat
    }

    @Test("Without a municipality Ema asks for one, busiest first; picking it lists its offices, hours and services")
    func byMunicipality() async throws {
        var chat = try await ready()
        try await chat.pick("menu_oficinas")
        #expect(chat.choiceIDs == ["oficinas:Medellín", "oficinas:Apartadó", "oficinas:Bello", "turno_pedir"])
        #expect(!chat.text.contains("ubicación"))
        try await chat.pick("oficinas:Medellín")
        #expect(chat.text.contains("Oficinas y puntos de atención en Medellín"))
        #expect(chat.text.contains("Oficina Miguel de Aguinaga: CL 44 52 165") && chat.text.contains("Trámites: Pago de factura, Turnos"))
        #expect(chat.text.contains("Punto Fácil Envigado (punto de autogestión)"))
        #expect(!chat.text.contains("Oficina Bello"))
    }

    @Test("A location shared on WhatsApp can ask for the nearest offices, by the nearest municipality that has them")
    func nearest() async throws {
        var chat = try await ready(channel: .whatsapp, senderPhone: "+573104445566")
        try await chat.pick("menu_oficinas")
        #expect(chat.text.contains("compartirme tu ubicación"))
        // Near Turbo, which has no office: Apartadó is the nearest that has one.
        let turbo = try #require(GeoPoint(latitude: 8.09, longitude: -76.72))
        try await chat.send(InboundMessage(location: turbo))
        #expect(chat.choiceIDs.contains("ubicacion_oficinas"))
        try await chat.pick("ubicacion_oficinas")
        #expect(chat.text.contains("más cercano a tu ubicación es Apartadó (a unos 25 km)") && chat.text.contains("Oficina Apartadó"))
        #expect(await chat.effects.damages.isEmpty)
        let bello = try #require(GeoPoint(latitude: 6.3373, longitude: -75.5580))
        #expect(MunicipalityPoint(name: "Bello", latitude: 6.3373, longitude: -75.5580).kilometres(to: bello) < 0.001)
        let medellin = MunicipalityPoint(name: "Medellín", latitude: 6.2518, longitude: -75.5636)
        #expect(abs(medellin.kilometres(to: bello) - 9.5) < 0.5)
    }
}
