import Foundation

/// What one turn of Ema's did, for the usage statistics (seed 000: «registro de estadísticas de
/// uso y manejo tanto de Ema web como de Ema WhatsApp»). Counts only: the server keeps them by
/// day and channel, never with a number, a name or a conversation; a phrase Ema did not
/// understand is masked before it is kept (`PhraseMask`).
public enum UsageEvent: Sendable, Equatable {
    /// A conversation started (or started over after being idle).
    case conversation
    /// A message of the customer that Ema answered.
    case turn
    /// Free text Ema read as an intent.
    case understood(Intent)
    /// Free text Ema did not understand and had no article for: the customer's words.
    case notUnderstood(String)
    /// An advisor asked for: a live chat requested or a message left.
    case handoff
    /// An answer from the knowledge base.
    case article(String)
    /// The first handoff or unanswered message of a conversation: it was not contained.
    case escalated
    /// A step of a flow's funnel reached (once per attempt).
    case funnel(UsageFunnel, step: Int)
}

/// The flows whose steps are counted, each with its steps in order.
public enum UsageFunnel: String, Sendable, CaseIterable, Codable {
    case inscripcion, factura, pqr, dano, turno

    public var title: String {
        switch self {
        case .inscripcion: "Inscripción a la factura por WhatsApp"
        case .factura: "Consulta de la factura"
        case .pqr: "Radicación de PQR"
        case .dano: "Reporte de daños"
        case .turno: "Turnos en oficinas"
        }
    }

    public var steps: [String] {
        switch self {
        case .inscripcion: ["Empezó", "Dio su número", "Verificó el código", "Dio el contrato", "Quedó inscrito"]
        case .factura: ["Empezó", "Vio su factura"]
        case .pqr: ["Empezó", "Eligió el tipo", "Contó qué pasó", "Quedó radicada"]
        case .dano: ["Empezó", "Dijo el servicio", "Dijo el lugar", "Quedó reportado"]
        case .turno: ["Empezó", "Eligió la oficina", "Eligió el día", "Recibió su turno"]
        }
    }
}

extension Turn {
    /// Counts what the turn did; the first handoff or unanswered message also marks the
    /// conversation as not contained.
    mutating func count(_ event: UsageEvent) {
        usage.append(event)
        switch event {
        case .handoff, .notUnderstood:
            if state.escalated != true {
                state.escalated = true
                usage.append(.escalated)
            }
        default:
            break
        }
    }

    /// A funnel's step reached; step 0 starts a new attempt. A step counts once per attempt, and
    /// reaching one counts those before it not yet reached.
    mutating func reach(_ funnel: UsageFunnel, _ step: Int) {
        var reached = state.funnelSteps ?? [:]
        let first: Int
        if step == 0 {
            first = 0
        } else {
            // A step skipped (a number already verified) counts as passed: the funnel never widens.
            guard let last = reached[funnel.rawValue], last < step else { return }
            first = last + 1
        }
        reached[funnel.rawValue] = step
        state.funnelSteps = reached
        for passed in first...step { count(.funnel(funnel, step: passed)) }
    }
}
