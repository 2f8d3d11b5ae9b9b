@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Knowledge base: articles, /ayuda, the editor, and Ema answering with them")
struct KnowledgeTests {
    /// Questions worded unlike any of the demo articles' own, each with the article that answers it.
    static let labelled: [(String, String)] = [
        ("este mes el recibo me llegó carísimo", "por-que-me-llego-mas-alta-la-factura"),
        ("por qué pago más que el mes pasado", "por-que-me-llego-mas-alta-la-factura"),
        ("qué significa el consumo que sale en la factura", "como-leer-tu-factura"),
        ("en qué parte de la factura sale el contrato", "como-leer-tu-factura"),
        ("pagué la deuda, cuándo me vuelven a poner la luz", "reconexion-despues-de-una-suspension"),
        ("me quitaron el servicio por mora", "reconexion-despues-de-una-suspension"),
        ("el lector no pudo entrar a ver el contador", "el-medidor-y-las-lecturas"),
        ("cómo se lee el contador de la luz", "el-medidor-y-las-lecturas"),
        ("por qué me cobran contribución", "estratos-subsidios-y-contribuciones"),
        ("quiero que me cambien el estrato", "estratos-subsidios-y-contribuciones"),
        ("qué beneficios tiene la tarjeta somos", "la-tarjeta-somos"),
        ("quiero diferir a más cuotas lo que debo de somos", "reestructurar-la-deuda-somos-o-abonar-a-diferidos"),
        ("se me perdió el código de la recarga prepago", "energia-y-agua-prepago-recargas-y-pin"),
        ("hasta qué hora atienden los asesores", "horarios-y-canales-de-atencion"),
        ("siento olor a gas en la cocina", "danos-y-seguridad-olor-a-gas-cables-caidos-fugas"),
        ("puedo pagar solo una parte del recibo", "como-pagar-tu-factura-abonar-o-pedir-un-acuerdo-de-pago"),
        ("el contador del agua gira con las llaves cerradas", "como-detecto-una-fuga-de-agua-en-casa"),
        ("el inodoro bota agua todo el tiempo", "como-detecto-una-fuga-de-agua-en-casa"),
        ("quiero que el recibo me llegue al whatsapp", "tu-factura-por-whatsapp"),
        ("me cobraron algo que no debo, cómo reclamo", "como-reclamar-por-un-cobro"),
        ("vendieron la casa y el recibo sigue a nombre del dueño anterior", "cambio-de-titular-o-de-datos-del-contrato"),
        ("necesito cita para ir a la oficina", "pedir-un-turno-para-una-oficina"),
        ("puedo pagar lo que debo en cuotas", "acuerdos-de-pago"),
        ("no leyeron el contador y me cobraron lo que gasto normalmente", "consumo-promedio-como-se-calcula-cuando-no-hay-lectura-y-como-se-ajusta"),
        ("cuándo corrigen el cobro estimado con la lectura real", "consumo-promedio-como-se-calcula-cuando-no-hay-lectura-y-como-se-ajusta"),
        ("necesito una constancia de lo que debo en somos", "certificados-de-la-tarjeta-somos-y-consulta-de-tu-deuda"),
        ("mi contador me pide el certificado de renta de somos", "certificados-de-la-tarjeta-somos-y-consulta-de-tu-deuda"),
        ("me quedé sin plata para la cuota de somos este mes", "que-pasa-si-me-atraso-en-las-cuotas-de-la-tarjeta-somos"),
        ("me pueden dañar la vida crediticia si no pago somos", "que-pasa-si-me-atraso-en-las-cuotas-de-la-tarjeta-somos"),
        ("no es lo mismo que me suspendan a que me corten", "suspension-y-corte-del-servicio-en-que-se-diferencian-y-cuando-ocurren"),
        ("me pueden quitar el servicio definitivamente", "suspension-y-corte-del-servicio-en-que-se-diferencian-y-cuando-ocurren"),
        ("cuántos días tienen para contestarme la queja", "cuanto-nos-demoramos-en-responder-tu-pqr-y-como-consultar-el-radicado"),
        ("dónde miro cómo va mi solicitud", "cuanto-nos-demoramos-en-responder-tu-pqr-y-como-consultar-el-radicado"),
        ("la respuesta del reclamo salió en mi contra, puedo pedir que la revisen", "recurso-de-reposicion-y-apelacion-si-no-estas-de-acuerdo-con-la-respuesta"),
        ("quiero llevar mi caso a la superintendencia", "recurso-de-reposicion-y-apelacion-si-no-estas-de-acuerdo-con-la-respuesta"),
        ("eliminen mi número de sus bases de datos", "tus-datos-personales-que-datos-tratamos-y-como-ejercer-tus-derechos"),
        ("para qué usan la información que les doy", "tus-datos-personales-que-datos-tratamos-y-como-ejercer-tus-derechos"),
        ("un funcionario de epm me pidió dinero por debajo de cuerda", "contacto-transparente-denuncia-un-fraude-o-un-acto-indebido"),
        ("quiero denunciar un soborno sin identificarme", "contacto-transparente-denuncia-un-fraude-o-un-acto-indebido"),
        ("me toca certificar la tubería del gas", "revision-periodica-de-la-instalacion-de-gas"),
        ("vino un señor a revisar el gas, eso es obligatorio", "revision-periodica-de-la-instalacion-de-gas"),
        ("qué hago para gastar menos luz", "consejos-para-ahorrar-energia-y-agua-en-casa"),
        ("qué hábitos ayudan a consumir menos agua", "consejos-para-ahorrar-energia-y-agua-en-casa"),
        ("ya cancelé el recibo y todavía aparece como pendiente", "pagos-que-no-se-ven-reflejados-que-hacer-si-ya-pagaste-y-aun-aparece-el-saldo"),
        ("pagué en el banco y la deuda no se ha descontado", "pagos-que-no-se-ven-reflejados-que-hacer-si-ya-pagaste-y-aun-aparece-el-saldo"),
        ("quiero sacar un contrato que tengo inscrito en el whatsapp", "factura-por-whatsapp-inscribir-varios-contratos-eliminarlos-o-cambiar-de-celular"),
        ("compré otra línea, cómo paso mis contratos inscritos", "factura-por-whatsapp-inscribir-varios-contratos-eliminarlos-o-cambiar-de-celular"),
        ("quiero que la energía me llegue en un recibo distinto al del agua", "aportes-voluntarios-y-separacion-de-cuentas-que-son-y-como-pedirlos"),
        ("quiero ayudar a pagar los subsidios", "aportes-voluntarios-y-separacion-de-cuentas-que-son-y-como-pedirlos"),
    ]

    static func demoArticles() throws -> [ArticleEntry] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/knowledge")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted().map { file in
            let parsed = try #require(KnowledgeDemo.parse(try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)), "\(file)")
            return ArticleEntry(slug: Articles.slug(parsed.title), title: parsed.title, questions: parsed.questions, body: parsed.body)
        }
    }

    @Test("Retrieval: precision at 1 on questions worded unlike the articles'")
    func precision() throws {
        let articles = try Self.demoArticles()
        #expect(articles.count >= 30)
        let index = ArticleIndex(articles)
        var right = 0
        for (question, slug) in Self.labelled {
            let found = index.search(question, limit: 1).first?.slug
            if found == slug { right += 1 } else { print("ayuda: «\(question)» → \(found ?? "nada"), no \(slug)") }
        }
        let precision = Double(right) / Double(Self.labelled.count)
        print("ayuda: precisión en 1 = \(right)/\(Self.labelled.count) (\(Int(precision * 100)) %)")
        #expect(precision >= 0.8)
        #expect(index.best("cuál es la capital de Francia") == nil)
    }

    @Test("Markdown becomes safe HTML: no tag, attribute or script URL of the author's gets through")
    func markdown() {
        let html = ArticleMarkdown.html("""
            # Título
            Texto con **negrita** y <script>alert(1)</script>.

            - [un enlace](https://www.epm.com.co/ayuda) y [otro](javascript:alert(1))
            - [raro](https://x.example/" onmouseover="alert(1))
            <img src=x onerror=alert(1)>
            """)
        #expect(html.contains("<h1>Título</h1>") && html.contains("<strong>negrita</strong>"))
        #expect(html.contains(#"<a href="https://www.epm.com.co/ayuda">"#))
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("javascript:") && !html.contains("\" onmouseover"))
        #expect(html.contains("&lt;script&gt;") || html.contains("&lt;script>"))
    }

    @Test("/ayuda lists and searches the published articles; a page renders its Markdown and takes «¿Te sirvió?»")
    func helpPages() async throws {
        try await withEmaApp { app in
            #expect(try await KnowledgeDemo.load(into: app) >= 17)
            let web = FacturaWebClient(tester: try app.testing())
            let list = try await web.get("ayuda")
            #expect(list.body.contains("La tarjeta SOMOS") && list.body.contains("/ayuda/la-tarjeta-somos"))
            let search = try await web.get("ayuda?q=olor%20a%20gas")
            #expect(search.body.contains("Artículos sobre «olor a gas»") && search.body.contains("danos-y-seguridad"))
            let nothing = try await web.get("ayuda?q=capital%20de%20francia")
            #expect(nothing.body.contains("No encontramos artículos"))
            let page = try await web.get("ayuda/la-tarjeta-somos")
            #expect(page.body.contains("<h1>La tarjeta SOMOS</h1>") && page.body.contains("<strong>tarjeta SOMOS</strong>"))
            let voted = try await web.post("ayuda/la-tarjeta-somos/voto", ["sirvio": "si"])
            #expect(voted.location == "/ayuda/la-tarjeta-somos?gracias=1#voto")
            var counts = try await Articles.feedbackCounts(on: app.db)
            #expect(counts.values.map(\.helpful) == [1])
            // A script voting from one address is thanked, and counted only up to the limit.
            for _ in 0..<HelpController.votes.limit { _ = try await web.post("ayuda/la-tarjeta-somos/voto", ["sirvio": "no"]) }
            counts = try await Articles.feedbackCounts(on: app.db)
            #expect(counts.values.map(\.total) == [HelpController.votes.limit])
            #expect(try await web.post("ayuda/no-existe/voto", ["sirvio": "si"]).status == .notFound)
            #expect(try await web.get("ayuda/no-existe").status == .notFound)
        }
    }

    @Test("A supervisor writes an article and Ema answers with it at once; as a draft she no longer does; every save is a version")
    func editorToEma() async throws {
        try await withEmaApp { app in
            try await app.staffService().loadDemoAccounts()
            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            _ = try await office.get("backoffice/ayuda/nuevo")
            let bad = try await office.post("backoffice/ayuda", ["csrf": office.csrf, "titulo": "Poda", "respuesta": "corta", "preguntas": "", "texto": "x", "estado": "publicado"])
            #expect(bad.status == .badRequest && bad.body.contains("Escribe el título"))
            let fields = ["csrf": office.csrf, "titulo": "Paneles solares en tu casa",
                          "respuesta": "Puedes instalar paneles solares y vender a la red lo que te sobre: un instalador certificado hace el diseño y nos pide la conexión.",
                          "preguntas": "cómo instalo paneles solares en mi casa\npuedo vender energía solar a la red",
                          "texto": "Los **paneles solares** se conectan a la red con un medidor bidireccional.", "estado": "publicado"]
            let saved = try await office.post("backoffice/ayuda", fields)
            #expect(saved.location == "/backoffice/ayuda/paneles-solares-en-tu-casa?aviso=guardado")

            var chat = ChatClient(app: app)
            try await chat.start()
            try await chat.pick("consentimiento_si")
            try await chat.say("quiero instalar paneles solares")
            #expect(chat.text.contains("Paneles solares en tu casa") && chat.text.contains("/ayuda/paneles-solares-en-tu-casa"))
            #expect(chat.choices.map(\.id) == ["articulo_si", "articulo_no"])
            try await chat.pick("articulo_no")
            #expect(chat.choices.map(\.id).contains("menu_asesor"))
            #expect(try await Articles.feedbackCounts(on: app.db).values.map(\.total) == [1])

            _ = try await office.get("backoffice/ayuda/paneles-solares-en-tu-casa")
            _ = try await office.post("backoffice/ayuda", fields.merging(["csrf": office.csrf, "slug": "paneles-solares-en-tu-casa", "estado": "borrador"]) { $1 })
            try await chat.say("quiero instalar paneles solares")
            #expect(!chat.text.contains("Paneles solares en tu casa"))
            let edit = try await office.get("backoffice/ayuda/paneles-solares-en-tu-casa")
            #expect(edit.body.contains("Versión 2</a> · Borrador") && edit.body.contains("Versión 1</a> · Publicado"))
            // The published version, seen as it was and restored: saved again as version 3, and Ema answers with it again.
            let first = try await office.get("backoffice/ayuda/paneles-solares-en-tu-casa/versiones/1")
            #expect(first.body.contains("Publicado") && first.body.contains("<strong>paneles solares</strong>"))
            #expect(try await office.get("backoffice/ayuda/paneles-solares-en-tu-casa/versiones/9").status == .notFound)
            let restored = try await office.post("backoffice/ayuda/paneles-solares-en-tu-casa/restaurar", ["csrf": office.csrf, "version": "1"])
            #expect(restored.location == "/backoffice/ayuda/paneles-solares-en-tu-casa?aviso=restaurado")
            #expect(try await Articles.find(slug: "paneles-solares-en-tu-casa", on: app.db)?.version == 3)
            try await chat.say("menú")
            try await chat.say("quiero instalar paneles solares")
            #expect(chat.text.contains("Paneles solares en tu casa"))
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            #expect(try await agent.get("backoffice/ayuda").status == .forbidden)
        }
    }
}
