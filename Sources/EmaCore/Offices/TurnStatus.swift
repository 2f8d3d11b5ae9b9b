/// Where a turn at an office stands: reservado → llamado → en_atencion → atendido; or
/// cancelado, or no_asistio after the call. `rawValue` is what the `turns` table stores.
public enum TurnStatus: String, CaseIterable, Sendable, Codable {
    case reserved = "reservado"
    case called = "llamado"
    case inAttention = "en_atencion"
    case attended = "atendido"
    case absent = "no_asistio"
    case cancelled = "cancelado"

    /// As people read it.
    public var title: String {
        switch self {
        case .reserved: "En espera"
        case .called: "Llamado"
        case .inAttention: "En atención"
        case .attended: "Atendido"
        case .absent: "No asistió"
        case .cancelled: "Cancelado"
        }
    }

    /// The states of a day's queue (every one but cancelled).
    public static let inQueue: [TurnStatus] = [.reserved, .called, .inAttention, .attended, .absent]
}
