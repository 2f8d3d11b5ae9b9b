@testable import EmaServer
import EmaCore
import Foundation
import Testing

@Suite("The simulator shows templates as the phone does")
struct SimulatorTemplateTests {
    @Test("The bill template: PDF header, approved text with its parameters in place, and the Factura Web button")
    func billTemplate() throws {
        var template = WhatsAppTemplate(name: "factura_disponible", language: "es_CO")
        template.headerDocument = .init(link: "http://127.0.0.1:8080/facturas/abc.pdf", filename: "factura-2026-11.pdf")
        template.bodyParameters = ["10234567", "noviembre de 2026", "$ 242.900", "23 de noviembre de 2026"]
        template.urlButtonSuffix = "10234567"
        let body = try JSONSerialization.data(withJSONObject: template.message(to: "573001234567"))
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let item = SimulatorController.item(from: json, at: 0, publicURL: "https://ema.example")
        #expect(item.text.contains("contrato 10234567, periodo noviembre de 2026"))
        #expect(item.text.contains("Valor a pagar: $ 242.900"))
        #expect(item.text.contains("Fecha límite de pago: 23 de noviembre de 2026"))
        #expect(!item.text.contains("{{"))
        #expect(item.link == "http://127.0.0.1:8080/facturas/abc.pdf")
        #expect(item.linkTitle == "factura-2026-11.pdf")
        #expect(item.urlButton == Choice("https://ema.example/factura/10234567", "Pagar en Factura Web"))
    }

    @Test("The template written straight to JSON is the same message as through JSONSerialization, quotes and accents included")
    func directJSON() throws {
        var template = WhatsAppTemplate(name: "factura_disponible", language: "es_CO")
        template.headerDocument = .init(link: "https://ema.example/facturas/a_b-c.pdf", filename: "factura \"nov\".pdf")
        template.bodyParameters = ["10234567", "noviembre de 2026", "$ 242.900", "línea\nnueva\t\\ y \u{01}"]
        template.urlButtonSuffix = "10234567"
        template.callbackData = "entrega:ABC"
        let direct = try #require(try JSONSerialization.jsonObject(with: Data(template.json(to: "+573001234567").utf8)) as? NSDictionary)
        let reference = try #require(try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: template.message(to: "+573001234567"))) as? NSDictionary)
        #expect(direct == reference)
        var bare = WhatsAppTemplate(name: "x", language: "es_CO")
        bare.bodyParameters = []
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(bare.json(to: "1").utf8)) as? NSDictionary)
        #expect(plain == (try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: bare.message(to: "1"))) as? NSDictionary))
    }

    @Test("A template the simulator does not know still shows its name and values")
    func unknownTemplate() throws {
        var template = WhatsAppTemplate(name: "otra_plantilla", language: "es_CO")
        template.bodyParameters = ["uno", "dos"]
        let json = try #require(try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: template.message(to: "573001234567"))) as? [String: Any])
        let item = SimulatorController.item(from: json, at: 0, publicURL: "https://ema.example")
        #expect(item.text == "(plantilla otra_plantilla) uno · dos")
    }
}
