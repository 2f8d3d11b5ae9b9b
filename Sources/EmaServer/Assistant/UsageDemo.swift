import EmaCore
import Foundation
import SQLKit
import Vapor

/// The demo's history of Ema's use: the last 30 days of counts, so `/backoffice/uso-de-ema`
/// shows charts from the first start (only when there are none). Deterministic: the same
/// figures on every machine; weekends quieter, WhatsApp busiest.
enum UsageDemo {
    @discardableResult
    static func load(into app: Application) async throws -> Int {
        let existing = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: AssistantUsage.schema)").first()?.decode(column: "n", as: Int.self) ?? 0
        guard existing == 0 else { return 0 }
        let today = app.clock.today
        var random = SplitMix64(seed: 2026)
        var days = 0
        for offset in 1...30 {
            let day = today.adding(days: -offset)
            let weekend = ColombianCalendar.weekday(day) >= 5
            for (channel, base) in [(EmaCore.Channel.whatsapp, 180), (.web, 90), (.kiosk, weekend ? 0 : 20)] where base > 0 {
                let conversations = base * (weekend ? 55 : 100) / 100 + Int.random(in: 0..<(base / 4 + 1), using: &random)
                var events = Array(repeating: UsageEvent.conversation, count: conversations)
                events += Array(repeating: .turn, count: conversations * 5 + Int.random(in: 0..<max(1, conversations), using: &random))
                for (intent, share) in [(Intent.valorAPagar, 22), (.duplicadoFactura, 14), (.pagarFactura, 12), (.inscribirFacturaWhatsapp, 10),
                                        (.radicarPQR, 8), (.reportarDano, 6), (.oficinas, 6), (.solicitarTurno, 5), (.programaSomos, 4),
                                        (.hablarConAsesor, 7), (.saludo, 30), (.gracias, 18)] {
                    events += Array(repeating: .understood(intent), count: conversations * share / 100 + Int.random(in: 0..<3, using: &random))
                }
                let notUnderstood = conversations * 8 / 100 + Int.random(in: 0..<4, using: &random)
                events += Array(repeating: .escalated, count: conversations * 16 / 100)
                events += Array(repeating: .handoff, count: conversations * 9 / 100)
                events += Array(repeating: .article("por-que-me-llego-mas-alta-la-factura"), count: conversations * 5 / 100)
                events += Array(repeating: .article("la-tarjeta-somos"), count: conversations * 3 / 100)
                for (funnel, shares) in [(UsageFunnel.inscripcion, [12, 10, 8, 7, 6]), (.factura, [40, 34]), (.pqr, [9, 8, 6, 5]),
                                         (.dano, [6, 6, 5, 5]), (.turno, [5, 5, 4, 3])] {
                    for (step, share) in shares.enumerated() {
                        events += Array(repeating: .funnel(funnel, step: step), count: conversations * share / 100)
                    }
                }
                try await AssistantUsage.record(events, channel: channel, at: day.startInBogota.addingTimeInterval(12 * 3_600), on: app.db)
                // Counted as such, not kept as phrases: the demo's «no entendidos» are only numbers.
                try await AssistantUsage.add(notUnderstood, of: .noEntendidos, channel: channel, day: day, on: app.db)
            }
            days += 1
        }
        return days
    }
}
