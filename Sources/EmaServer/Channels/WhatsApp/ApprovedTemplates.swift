import Foundation

/// The text of the templates Meta approved for this business, as customers read them. Meta
/// keeps the approved copy; this one lets the simulator show a template as the phone would.
enum ApprovedTemplates {
    struct Text {
        /// With `{{1}}`, `{{2}}`… for the body parameters.
        let body: String
        /// The URL button's title and its base (the message adds the suffix).
        let urlButton: (title: String, base: String)?
    }

    /// `factura_disponible` (utility, es_CO): document header with the bill's PDF; body
    /// parameters contract, period, amount and due date; a URL button to Factura Web whose
    /// dynamic suffix is the contract number. `factura_pagada` (utility, es_CO): the same
    /// header and button, body parameters contract and period, for a bill paid before it left.
    static func text(of name: String, publicURL: String) -> Text? {
        switch name {
        case "factura_disponible":
            Text(
                body: "Tu factura del contrato {{1}}, periodo {{2}}, ya está disponible. 📄\nValor a pagar: {{3}}\nFecha límite de pago: {{4}}\nPágala en línea en Factura Web: el pago se aplica de inmediato.",
                urlButton: ("Pagar en Factura Web", "\(publicURL)/factura/")
            )
        case "factura_pagada":
            Text(
                body: "Tu factura del contrato {{1}}, periodo {{2}}, ya está disponible. 📄\nEstá pagada: no tienes saldo pendiente de este periodo. ¡Gracias por tu pago!",
                urlButton: ("Ver en Factura Web", "\(publicURL)/factura/")
            )
        case "recordatorio_pago":
            Text(
                body: "Hola 👋 Te recordamos que la factura del contrato {{1}} por {{2}} vence el {{3}}. Si ya pagaste, no tienes que hacer nada.\nSi no quieres más recordatorios, responde «no más recordatorios»: seguirás recibiendo tu factura por aquí.",
                urlButton: ("Pagar en Factura Web", "\(publicURL)/factura/")
            )
        case "novedades":
            Text(
                body: "{{1}}\nRecibes este mensaje porque autorizaste las promociones y novedades. Si ya no quieres recibirlas, responde «no quiero promociones».",
                urlButton: nil
            )
        case "pqr_respuesta":
            Text(
                body: "Ya respondimos tu {{1}} con radicado {{2}}.\nDecisión: {{3}}\n{{4}}\nConsulta la respuesta completa con tu radicado y tu código de consulta.",
                urlButton: ("Ver la respuesta", "\(publicURL)/radicado?numero=")
            )
        case "pqr_prorroga":
            Text(
                body: "Tu solicitud con radicado {{1}} necesita un poco más de tiempo: {{2}}\nTe responderemos a más tardar el {{3}}.",
                urlButton: nil
            )
        case "pqr_encuesta":
            Text(
                body: "¿Cómo calificas la atención que recibiste en tu queja {{1}}? Responde con un número del 1 (muy mala) al 5 (excelente).",
                urlButton: nil
            )
        case "datos_respuesta":
            Text(
                body: "Sobre tu solicitud {{1}} de datos personales:\n{{2}}",
                urlButton: nil
            )
        default: nil
        }
    }

    /// The body with its parameters in place.
    static func fill(_ body: String, with parameters: [String]) -> String {
        var text = body
        for (index, value) in parameters.enumerated() {
            text = text.replacingOccurrences(of: "{{\(index + 1)}}", with: value)
        }
        return text
    }
}
