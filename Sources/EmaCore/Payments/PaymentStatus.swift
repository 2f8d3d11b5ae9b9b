/// The life of one payment attempt at a gateway. It starts `pending` and ends in exactly one
/// final state; a final state never changes (a replayed or late notice cannot undo a payment
/// or apply it twice).
public enum PaymentStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case approved
    case declined
    case voided
    case error

    public var isFinal: Bool { self != .pending }

    /// The state after a gateway says `reported`: only a pending attempt moves.
    public func moved(to reported: PaymentStatus) -> PaymentStatus {
        isFinal ? self : reported
    }

    /// As the customer reads it.
    public var title: String {
        switch self {
        case .pending: "En proceso"
        case .approved: "Aprobado"
        case .declined: "Rechazado"
        case .voided: "Anulado"
        case .error: "No se pudo completar"
        }
    }
}

/// Pesos to the cents gateways count in (COP has no cents in practice: always a multiple of 100).
public enum Cents {
    public static func from(cop: Int64) -> Int64 { cop * 100 }
}
