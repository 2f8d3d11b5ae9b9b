/// The lists a PQR is classified with. Causales follow the SSPD's Formato A (groups F =
/// facturación, P = prestación); codes are the annex's three digits (regulation-co.md §5).
public struct Causal: Sendable, Equatable, Codable {
    public let code: String
    public let group: String
    public let title: String

    public init(_ group: String, _ code: String, _ title: String) {
        self.group = group
        self.code = code
        self.title = title
    }

    /// The same in a customer's words, for PQR Web's list (the SSPD's names are for staff).
    public var plain: String { CaseCatalog.plainTitles[key] ?? title }

    /// "F103": group and code, the value stored with a case.
    public var key: String { group + code }
    public var label: String { "\(key) · \(title)" }
    public var serviceRelated: Bool { true }
}

public enum CaseCatalog {
    public static let causales: [Causal] = [
        Causal("F", "101", "Inconformidad con el aforo"),
        Causal("F", "102", "Inconformidad con la medición del consumo facturado"),
        Causal("F", "103", "Cobros inoportunos"),
        Causal("F", "105", "Cobro por servicios no prestados"),
        Causal("F", "106", "Datos generales incorrectos en la factura"),
        Causal("F", "107", "Cobro múltiple o acumulado"),
        Causal("F", "108", "Entrega inoportuna o no entrega de la factura"),
        Causal("F", "109", "Cobros por conexión, reconexión o reinstalación"),
        Causal("F", "110", "Cambio o cobro del medidor"),
        Causal("F", "111", "Intereses de mora, financiación, cartera, acuerdos de pago"),
        Causal("F", "112", "Subsidios y contribuciones"),
        Causal("F", "113", "Cobro de otros bienes o servicios no autorizados"),
        Causal("F", "117", "Estrato incorrecto"),
        Causal("F", "118", "Clase de uso incorrecta"),
        Causal("F", "119", "Tarifa incorrecta"),
        Causal("F", "120", "Cobros por promedio"),
        Causal("F", "121", "Consumo de medidor de otro predio"),
        Causal("F", "122", "Pago no aplicado"),
        Causal("F", "127", "Desviación significativa"),
        Causal("F", "129", "Recuperación de consumos"),
        Causal("P", "303", "Interrupciones en la prestación del servicio"),
        Causal("P", "304", "Variaciones en las características del suministro (presión, calidad, voltaje)"),
        Causal("P", "306", "Condiciones de seguridad o riesgo"),
        Causal("P", "308", "Terminación del contrato"),
        Causal("P", "309", "Suspensión o corte sin previo aviso o sin causa"),
        Causal("P", "314", "Afectación ambiental"),
        Causal("P", "315", "Atención al cliente y quejas administrativas"),
        Causal("P", "316", "Estado de la infraestructura"),
        Causal("P", "401", "Fallas en la conexión"),
        Causal("P", "402", "No conexión del servicio"),
    ]

    /// The causales as a customer would say them (PQR Web's list).
    static let plainTitles: [String: String] = [
        "F101": "No estoy de acuerdo con el consumo que me estimaron (aforo)",
        "F102": "No estoy de acuerdo con el consumo que marcó el medidor",
        "F103": "Me cobraron algo de hace más de cinco meses",
        "F105": "Me cobraron un servicio que no me prestaron",
        "F106": "Mis datos en la factura están mal (nombre, dirección…)",
        "F107": "Me cobraron lo mismo dos veces o varios meses juntos",
        "F108": "La factura no me llegó o llegó tarde",
        "F109": "Me cobraron una conexión, reconexión o reinstalación",
        "F110": "Me cambiaron o me cobraron el medidor",
        "F111": "Me cobraron intereses de mora o una financiación",
        "F112": "El subsidio o la contribución está mal",
        "F113": "Me cobraron otros productos que no autoricé",
        "F117": "Mi estrato está mal",
        "F118": "El uso del inmueble está mal (residencial, comercial…)",
        "F119": "La tarifa que me cobraron está mal",
        "F120": "Me cobraron un promedio y no lo que consumí",
        "F121": "Me cobraron el medidor de otro inmueble",
        "F122": "Pagué y el pago no aparece",
        "F127": "El consumo subió mucho de repente",
        "F129": "Me cobraron consumos de meses anteriores",
        "P303": "El servicio se va o se interrumpe",
        "P304": "El servicio llega mal (presión, calidad, voltaje)",
        "P306": "Hay un riesgo o un problema de seguridad",
        "P308": "Quiero terminar el contrato",
        "P309": "Me suspendieron o cortaron sin aviso o sin razón",
        "P314": "Hay un daño al medio ambiente",
        "P315": "Me atendieron mal",
        "P316": "Redes, postes, tapas o tuberías en mal estado",
        "P401": "Problemas con la conexión del servicio",
        "P402": "No me han conectado el servicio",
    ]

    /// Not yet classified: what Ema files until an agent sets the causal.
    public static let unclassified = "SIN"

    public static func causal(_ key: String?) -> Causal? {
        guard let key else { return nil }
        return causales.first { $0.key == key }
    }

    /// Broad topics a customer picks in the chat; the agent refines the causal later.
    public static let topics: [(id: String, title: String, causal: String)] = [
        ("tema_factura", "Mi factura o un cobro", "F103"),
        ("tema_servicio", "Fallas o calidad del servicio", "P303"),
        ("tema_atencion", "La atención que recibí", "P315"),
        ("tema_otro", "Otro tema", unclassified),
    ]
}

/// How a request came in. The first three are Ema's; the rest are recorded by an agent.
public enum CaseChannel: String, CaseIterable, Codable, Sendable {
    case web
    case whatsapp
    case kiosko
    case pqrWeb = "pqr_web"
    case oficina
    case telefono
    case correo
    case escrito

    public var title: String {
        switch self {
        case .web: "Ema en la web"
        case .whatsapp: "WhatsApp"
        case .kiosko: "Kiosco de oficina"
        case .pqrWeb: "Formulario PQR Web"
        case .oficina: "Oficina (presencial)"
        case .telefono: "Línea telefónica"
        case .correo: "Correo electrónico"
        case .escrito: "Comunicación escrita"
        }
    }

    /// Channels an agent records for intake in the back office.
    public static let staffIntake: [CaseChannel] = [.oficina, .telefono, .correo, .escrito]
}

extension CaseType {
    /// The law lets these be filed without identifying oneself; a reclamo, a recurso or a
    /// request for documents needs the holder (it concerns their contract or their data).
    public var allowsAnonymous: Bool {
        switch self {
        case .peticion, .queja, .sugerencia, .consulta: true
        case .reclamo, .recursoReposicion, .recursoApelacion, .peticionDocumentos: false
        }
    }

    /// "una queja", "un reclamo": the title with its article, for sentences.
    public var withArticle: String {
        switch self {
        case .peticion, .queja, .sugerencia, .consulta, .peticionDocumentos: "una \(title.lowercased())"
        case .reclamo, .recursoReposicion, .recursoApelacion: "un \(title.lowercased())"
        }
    }

    /// A recurso is filed against an earlier decision.
    public var isRecurso: Bool { self == .recursoReposicion || self == .recursoApelacion }

    /// The SSPD's "Tipo de trámite" (Formato A), or nil for what the report leaves out
    /// (sugerencias). Petitions and consultas go as "solicitud de información" (6), the
    /// closest the format has (⚠ counsel confirms).
    public var sspdTramite: String? {
        switch self {
        case .reclamo: "1"
        case .queja: "2"
        case .recursoReposicion: "4"
        case .recursoApelacion: "5"
        case .peticionDocumentos, .peticion, .consulta: "6"
        case .sugerencia: nil
        }
    }

    /// Counted in the complaint index.
    public var isComplaint: Bool { self == .queja || self == .reclamo }
}

/// The decision of an answer, with the SSPD's "Tipo de respuesta" code.
public enum CaseDecision: String, CaseIterable, Codable, Sendable {
    case accede
    case accedeParcialmente = "accede_parcialmente"
    case noAccede = "no_accede"
    case confirma
    case modifica
    case revoca
    case rechaza
    case traslada
    case archiva

    public var title: String {
        switch self {
        case .accede: "Accede"
        case .accedeParcialmente: "Accede parcialmente"
        case .noAccede: "No accede"
        case .confirma: "Confirma la decisión"
        case .modifica: "Modifica la decisión"
        case .revoca: "Revoca la decisión"
        case .rechaza: "Rechaza"
        case .traslada: "Traslada por competencia"
        case .archiva: "Archiva"
        }
    }

    public var sspdCode: String {
        switch self {
        case .accede: "1"
        case .accedeParcialmente: "2"
        case .noAccede: "3"
        case .confirma: "4"
        case .modifica: "5"
        case .revoca: "6"
        case .rechaza: "7"
        case .traslada: "8"
        case .archiva: "11"
        }
    }

    /// A decision against the customer can be appealed (reposición and apelación).
    public var appealable: Bool { self == .noAccede || self == .accedeParcialmente || self == .rechaza || self == .confirma }
}

/// Where a case is.
public enum CaseStatus: String, CaseIterable, Codable, Sendable {
    case radicado
    case enTramite = "en_tramite"
    case respondido
    case cerrado

    public var title: String {
        switch self {
        case .radicado: "Radicada, pendiente de asignar"
        case .enTramite: "En trámite"
        case .respondido: "Respondida"
        case .cerrado: "Cerrada"
        }
    }

    public var isOpen: Bool { self == .radicado || self == .enTramite }

    /// What the customer reads: who works on it inside the company is not their concern.
    public var publicTitle: String {
        switch self {
        case .radicado, .enTramite: "Radicada, en estudio"
        case .respondido, .cerrado: "Respondida"
        }
    }
}

/// A radicado: the year and a sequence that restarts every year, written `2026-0000042`.
public struct Radicado: Sendable, Equatable, Hashable {
    public let year: Int
    public let sequence: Int

    public init(year: Int, sequence: Int) {
        self.year = year
        self.sequence = sequence
    }

    public var text: String {
        let digits = String(sequence)
        return "\(year)-" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    /// Reads what a person types: `2026-0000042`, `2026 42`, `20260000042`.
    public static func parse(_ typed: String) -> Radicado? {
        let cleaned = typed.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            .replacingOccurrences(of: "RADICADO", with: "").replacingOccurrences(of: "N.", with: "")
        let parts = cleaned.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "." || $0 == "/" })
        if parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let sequence = Int(parts[1]),
           parts[1].allSatisfy(\.isASCII), parts[1].count <= 9, sequence > 0 {
            return Radicado(year: year, sequence: sequence)
        }
        if parts.count == 1, parts[0].count >= 5, parts[0].count <= 13, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
           let year = Int(parts[0].prefix(4)), let sequence = Int(parts[0].dropFirst(4)), sequence > 0 {
            return Radicado(year: year, sequence: sequence)
        }
        return nil
    }
}

/// The second factor given at filing: six characters a person can read aloud (no 0/O, 1/I).
public enum CaseAccessCode {
    public static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    public static let length = 6

    /// Uppercased and without spaces or dashes, or nil when it cannot be a code.
    public static func normalize(_ typed: String) -> String? {
        let cleaned = typed.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard cleaned.count == length, cleaned.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return cleaned
    }
}
