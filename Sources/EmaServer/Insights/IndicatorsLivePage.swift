import EmaCore
import Foundation

/// Today's live figures in the back office (`backoffice/indicadores.leaf`): the offices' queue,
/// today's waiting and attention times, the advisors' chat queue, service level, efficacy and
/// satisfaction so far today.
struct IndicatorsLivePage: Encodable {
    typealias Card = IndicatorsPage.Card

    struct OfficeRow: Encodable {
        let office: String
        let waiting: Int
        let later: Int
        let inAttention: Int
        let attended: Int
        let absent: Int
        let averageWait: String
    }

    let title: String
    let frame: BackOfficeController.Frame
    let day: String
    let updated: String
    let cards: [Card]
    let offices: [OfficeRow]

    /// Seconds between the page's reloads.
    static let refreshSeconds = 30
    let refreshSeconds = IndicatorsLivePage.refreshSeconds

    init(_ staff: StaffContext, _ today: IndicatorService.TodayFigures) {
        func figure(_ indicator: Indicator, _ dimension: IndicatorDimension = .total) -> Figure? {
            today.figures.first { $0.indicator == indicator && $0.dimension == dimension }
        }
        func shown(_ indicator: Indicator) -> String { indicator.display(figure(indicator)?.value) }
        func counted(_ indicator: Indicator) -> String { "\(indicator.casesLabel.prefix(1).uppercased() + indicator.casesLabel.dropFirst()) hoy: \(SpanishNumber.integer(figure(indicator)?.cases ?? 0))" }
        let queue = today.queues[.total] ?? Indicators.Queue()
        let longest = today.longestChatWait.map { "La espera más larga va en \(Self.duration($0))." } ?? "Nadie espera en este momento."
        title = "Indicadores de hoy"
        frame = .init(staff)
        day = today.day.displayName
        updated = LiveChatFeed.time(today.computedAt)
        cards = [
            Card(id: "turnos-espera", title: "Turnos en espera ahora", value: SpanishNumber.integer(queue.waiting),
                 detail: "\(queue.inAttention) llamados o en atención · \(queue.later) reservados para más tarde"),
            Card(id: "espera-hoy", title: "Espera promedio hoy", value: shown(.officeWait), detail: counted(.officeWait)),
            Card(id: "atencion-hoy", title: "Atención promedio hoy", value: shown(.officeAttention), detail: "No asistieron: \(queue.absent)"),
            Card(id: "chats-espera", title: "Chats esperando asesor", value: SpanishNumber.integer(today.chatsWaiting), detail: longest),
            Card(id: "chats-atencion", title: "Chats en atención", value: SpanishNumber.integer(today.chatsActive), detail: "Conversaciones abiertas con un asesor"),
            Card(id: "nivel-servicio-hoy", title: "Nivel de servicio del chat hoy", value: shown(.chatServiceLevel),
                 detail: "Meta: responder en \(Int(Indicators.chatTarget)) s o menos · \(counted(.chatServiceLevel))"),
            Card(id: "eficacia-hoy", title: "Eficacia del chat hoy", value: shown(.chatEfficacy), detail: counted(.chatEfficacy)),
            Card(id: "csat-hoy", title: "Satisfacción (CSAT) hoy", value: shown(.satisfaction),
                 detail: "\(counted(.satisfaction)) · promedio \(shown(.satisfactionAverage))"),
        ]
        offices = today.queues.compactMap { dimension, queue -> OfficeRow? in
            guard case .office(let name) = dimension else { return nil }
            return OfficeRow(
                office: name, waiting: queue.waiting, later: queue.later, inAttention: queue.inAttention, attended: queue.attended,
                absent: queue.absent, averageWait: Indicator.officeWait.display(figure(.officeWait, .office(name))?.value)
            )
        }.sorted { $0.office.compare($1.office, locale: Locale(identifier: "es_CO")) == .orderedAscending }
    }

    /// `45 s`, `3 min 20 s`, `1 h 05 min`
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds)
        if whole < 60 { return "\(whole) s" }
        if whole < 3_600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3_600) h \(String(format: "%02d", whole % 3_600 / 60)) min"
    }
}
