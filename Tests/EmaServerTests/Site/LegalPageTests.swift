@testable import EmaServer
import Foundation
import Testing
import Vapor
import VaporTesting

/// The policy and the terms as pages to read: headings with their points, paragraphs with their
/// opening words in bold, not one block of text.
@Suite("Legal texts as readable pages")
struct LegalPageTests {
    @Test("A text's blocks: a line ending in a colon over «•» lines is a heading with its points; a paragraph's words up to its colon lead it")
    func blocks() {
        let text = "Al autorizar, permites que tratemos tus datos.\n\nPara qué usamos tus datos:\n• Inscribir tus contratos.\n• Atender tus PQR.\n\nTus derechos: conocer, actualizar\ny suprimir."
        #expect(SiteController.LegalBlock.blocks(of: text) == [
            .init(text: "Al autorizar, permites que tratemos tus datos."),
            .init(heading: "Para qué usamos tus datos:", items: ["Inscribir tus contratos.", "Atender tus PQR."]),
            .init(lead: "Tus derechos:", text: "conocer, actualizar y suprimir."),
        ])
    }

    @Test("/legal/privacidad shows its sections as headings and lists, with the version")
    func page() async throws {
        try await withEmaApp { app in
            try await app.testing().test(.GET, "legal/privacidad") { response in
                let page = response.body.string
                #expect(response.status == .ok)
                #expect(page.contains("<h2>Para qué usamos tus datos:</h2>") && page.contains("<li>Inscribir tus contratos"))
                #expect(page.contains("<strong>Tus derechos como titular"))
                #expect(page.contains("Versión 2026-12") && !page.contains("•"))
            }
        }
    }
}
