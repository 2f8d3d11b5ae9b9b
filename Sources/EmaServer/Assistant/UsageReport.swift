import EmaCore
import Foundation

/// Ema's use over a period, from `AssistantUsage`'s counts: totals, each day, each channel, the
/// intents understood, the flows' funnels and the articles answered.
struct UsageReport {
    struct Totals: Equatable {
        var conversations = 0
        var messages = 0
        var understood = 0
        var notUnderstood = 0
        var articles = 0
        var handoffs = 0
        var escalated = 0

        /// Free text Ema read: understood as an intent, answered by an article, or not.
        var read: Int { understood + articles + notUnderstood }
        /// The part of what Ema read that she did not understand; nil with nothing read.
        var outOfScopeRate: Double? { read == 0 ? nil : Double(notUnderstood) / Double(read) }
        /// Conversations that ended without an advisor or an unanswered message.
        var containment: Double? { conversations == 0 ? nil : Double(max(0, conversations - escalated)) / Double(conversations) }

        mutating func add(_ row: AssistantUsage.Row) {
            switch AssistantUsage.Metric(rawValue: row.metric) {
            case .conversaciones?: conversations += row.value
            case .mensajes?: messages += row.value
            case .entendidos?: understood += row.value
            case .noEntendidos?: notUnderstood += row.value
            case .articulo?: articles += row.value
            case .asesor?: handoffs += row.value
            case .escaladas?: escalated += row.value
            case .embudo?, nil: break
            }
        }
    }

    struct Step: Equatable {
        let title: String
        let count: Int
        /// Of those at the step before, the part that reached this one; nil for the first.
        let kept: Double?
    }

    let from: CivilDate
    let to: CivilDate
    var totals = Totals()
    /// Every day of the period, in order, with its totals.
    var days: [(day: CivilDate, totals: Totals)] = []
    var channels: [String: Totals] = [:]
    var intents: [(intent: Intent, count: Int)] = []
    var funnels: [(funnel: UsageFunnel, steps: [Step])] = []
    var articles: [(slug: String, count: Int)] = []

    init(from: CivilDate, to: CivilDate, rows: [AssistantUsage.Row]) {
        self.from = from
        self.to = to
        var byDay: [String: Totals] = [:]
        var intentCounts: [Intent: Int] = [:]
        var funnelCounts: [String: Int] = [:]
        var articleCounts: [String: Int] = [:]
        for row in rows {
            totals.add(row)
            byDay[row.day, default: Totals()].add(row)
            channels[row.channel, default: Totals()].add(row)
            switch AssistantUsage.Metric(rawValue: row.metric) {
            case .entendidos?: if let intent = Intent(rawValue: row.detail) { intentCounts[intent, default: 0] += row.value }
            case .embudo?: funnelCounts[row.detail, default: 0] += row.value
            case .articulo?: articleCounts[row.detail, default: 0] += row.value
            default: break
            }
        }
        var day = from
        while day <= to {
            days.append((day, byDay[day.description] ?? Totals()))
            day = day.adding(days: 1)
        }
        intents = intentCounts.map { ($0.key, $0.value) }.sorted { ($0.count, $1.intent.rawValue) > ($1.count, $0.intent.rawValue) }
        articles = articleCounts.map { ($0.key, $0.value) }.sorted { ($0.count, $1.slug) > ($1.count, $0.slug) }
        funnels = UsageFunnel.allCases.map { funnel in
            var previous: Int?
            let steps = funnel.steps.enumerated().map { index, title in
                let count = funnelCounts["\(funnel.rawValue):\(index)"] ?? 0
                defer { previous = count }
                return Step(title: title, count: count, kept: previous.map { $0 == 0 ? 0 : Double(count) / Double($0) })
            }
            return (funnel, steps)
        }
    }

    /// The channels as people name them.
    static func channelTitle(_ channel: String) -> String {
        switch channel {
        case EmaCore.Channel.whatsapp.rawValue: "WhatsApp"
        case EmaCore.Channel.kiosk.rawValue: "Quiosco"
        default: "Ema en la web"
        }
    }
}
