/// The transactions customers do by themselves (seed 002's «transacciones de autogestión»),
/// counted by type and channel for the indicators: each one is a call or an office visit saved.
public enum SelfServiceTransaction: String, CaseIterable, Sendable, Codable {
    case pagoEnLinea = "pago_en_linea"
    case cupon
    case acuerdoPago = "acuerdo_pago"
    case consultaPin = "consulta_pin"
    case certificado
    case inscripcionFactura = "inscripcion_factura"
    case recordatorio
    case separacionCuentas = "separacion_cuentas"
    case aporteVoluntario = "aporte_voluntario"

    public var title: String {
        switch self {
        case .pagoEnLinea: "Pagos en línea"
        case .cupon: "Cupones de pago y abonos"
        case .acuerdoPago: "Acuerdos de pago aceptados"
        case .consultaPin: "Consultas de PIN prepago"
        case .certificado: "Certificados expedidos"
        case .inscripcionFactura: "Inscripciones a la factura por WhatsApp"
        case .recordatorio: "Recordatorios de pago enviados"
        case .separacionCuentas: "Solicitudes de separación de cuentas"
        case .aporteVoluntario: "Aportes voluntarios solicitados"
        }
    }

    /// The channels in the order the table shows them, with their titles. `web` is Ema on the
    /// web site; the site's own pages (Factura Web, the forms) are `sitio_web`.
    public static let channels: [(id: String, title: String)] = [
        ("whatsapp", "WhatsApp"), ("web", "Ema en la web"), ("sitio_web", "Páginas del sitio web"), ("kiosk", "Quiosco"),
    ]

    /// The channel a record names, as the table groups it (`kiosko` is the kiosk, PQR Web and
    /// Factura Web are pages of the site).
    public static func channel(_ raw: String) -> String {
        switch raw {
        case "kiosko", "kiosk": "kiosk"
        case "factura_web", "pqr_web", "sitio_web": "sitio_web"
        default: raw
        }
    }

    public struct Count: Sendable, Equatable {
        public let transaction: SelfServiceTransaction
        public let channel: String
        public let count: Int

        public init(_ transaction: SelfServiceTransaction, channel: String, count: Int) {
            self.transaction = transaction
            self.channel = channel
            self.count = count
        }
    }

    /// Counts summed per transaction and channel (channels folded as the table shows them).
    public static func table(_ counts: [Count]) -> [SelfServiceTransaction: [String: Int]] {
        var table: [SelfServiceTransaction: [String: Int]] = [:]
        for count in counts { table[count.transaction, default: [:]][channel(count.channel), default: 0] += count.count }
        return table
    }
}
