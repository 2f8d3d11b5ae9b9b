/// What a customer wants, as the assistant and `ema nlu` name it (interfaces.md, "Intents").
public enum Intent: String, CaseIterable, Sendable, Codable {
    case inscribirFacturaWhatsapp = "inscribir_factura_whatsapp"
    case eliminarContrato = "eliminar_contrato"
    case consultarContratos = "consultar_contratos"
    case valorAPagar = "valor_a_pagar"
    case duplicadoFactura = "duplicado_factura"
    case pagarFactura = "pagar_factura"
    case radicarPQR = "radicar_pqr"
    case consultarRadicado = "consultar_radicado"
    case reportarDano = "reportar_dano"
    case oficinas
    case solicitarTurno = "solicitar_turno"
    case programaSomos = "programa_somos"
    case alternativasPago = "alternativas_pago"
    case hablarConAsesor = "hablar_con_asesor"
    case contactoTransparente = "contacto_transparente"
    case lineasAtencion = "lineas_atencion"
    case datosPersonales = "datos_personales"
    case saludo
    case despedida
    case gracias
    case menu
    case cancelar
    case afirmar
    case negar
    case fueraDeAlcance = "fuera_de_alcance"

    /// What the intent asks for, in the words staff read (teaching Ema, her statistics).
    public var title: String {
        switch self {
        case .inscribirFacturaWhatsapp: "Inscribir la factura por WhatsApp"
        case .eliminarContrato: "Eliminar un contrato inscrito"
        case .consultarContratos: "Ver los contratos inscritos"
        case .valorAPagar: "Valor a pagar de la factura"
        case .duplicadoFactura: "Duplicado de la factura"
        case .pagarFactura: "Pagar la factura"
        case .radicarPQR: "Radicar una PQR"
        case .consultarRadicado: "Consultar un radicado"
        case .reportarDano: "Reportar un daño"
        case .oficinas: "Oficinas y horarios"
        case .solicitarTurno: "Pedir un turno"
        case .programaSomos: "Programa SOMOS"
        case .alternativasPago: "Acuerdos y alternativas de pago"
        case .hablarConAsesor: "Hablar con un asesor"
        case .contactoTransparente: "Contacto Transparente"
        case .lineasAtencion: "Líneas de atención"
        case .datosPersonales: "Datos personales"
        case .saludo: "Saludo"
        case .despedida: "Despedida"
        case .gracias: "Agradecimiento"
        case .menu: "Menú principal"
        case .cancelar: "Cancelar"
        case .afirmar: "Sí"
        case .negar: "No"
        case .fueraDeAlcance: "Fuera de alcance"
        }
    }
}

/// One labelled sentence.
public struct IntentExample: Sendable, Hashable {
    public let intent: Intent
    public let text: String

    public init(intent: Intent, text: String) {
        self.intent = intent
        self.text = text
    }

    /// Reads `intent<TAB>text` lines; `#` starts a comment line. Names every bad line.
    public static func parse(tsv: String) throws(ImportProblems) -> [IntentExample] {
        var examples: [IntentExample] = []
        var problems: [FieldProblem] = []
        for (index, rawLine) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingASCIISpaces().isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else {
                problems.append(FieldProblem(line: index + 1, column: nil, message: "se esperaba «intención<TAB>texto»"))
                continue
            }
            guard let intent = Intent(rawValue: parts[0].trimmingASCIISpaces()) else {
                problems.append(FieldProblem(line: index + 1, column: "intent", message: "«\(parts[0])» no es una intención conocida"))
                continue
            }
            examples.append(IntentExample(intent: intent, text: String(parts[1])))
        }
        guard problems.isEmpty else { throw ImportProblems(problems) }
        return examples
    }
}
