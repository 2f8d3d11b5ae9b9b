import EmaCore
import Foundation

/// What the public statistics page shows (`indicadores.leaf`): a card per indicator, then each
/// indicator by office, municipality, segment, channel or survey kind as a chart and a table,
/// and the last months' totals. Only counts and averages: nothing about any person.
enum IndicatorsPage {
    struct Card: Encodable {
        let id: String
        let title: String
        let value: String
        let detail: String
    }

    struct Row: Encodable {
        let label: String
        let value: String
        let cases: String
    }

    struct Group: Encodable {
        let title: String
        let svg: String
        let rows: [Row]
        /// Said when the chart shows fewer bars than the table has rows.
        let note: String?
    }

    struct Block: Encodable {
        let id: String
        let title: String
        let definition: String
        let total: String
        let cases: String
        let casesLabel: String
        let groups: [Group]
    }

    struct Section: Encodable {
        let id: String
        let title: String
        let blocks: [Block]
    }

    struct TrendChart: Encodable {
        let title: String
        let svg: String
    }

    struct TransactionLine: Encodable {
        let title: String
        let total: String
        let channels: String
    }

    struct TrendRow: Encodable {
        let month: String
        let values: [String]
    }

    struct Page: Encodable {
        let title: String
        let utility: UtilityProfile
        let month: String
        let monthName: String
        let inCourse: Bool
        let months: [SelectOption]
        let updated: String
        let cards: [Card]
        let sections: [Section]
        let trendHeaders: [String]
        let trend: [TrendRow]
        /// One chart per indicator over the six months, oldest first.
        let trendCharts: [TrendChart]
        /// Self-service transactions by type (rows) and channel (columns), and their totals.
        let channelHeaders: [String]
        let transactions: [TrendRow]
        let transactionsTotal: String
        /// The same, a line per type with its channels in words (for the phone).
        let transactionLines: [TransactionLine]
        let csv: String
        /// The month's PQR statistics, as the seed publishes them.
        let pqr: PQRSummary?
    }

    static let sections: [(id: String, title: String, indicators: [Indicator])] = [
        ("oficinas", "Atención en oficinas", [.officeWait, .officeAttention]),
        ("telefono", "Líneas telefónicas", [.phoneServiceLevel, .phoneEfficacy, .phoneSpeedOfAnswer, .phoneAbandonment]),
        ("chat", "Chat con asesor", [.chatServiceLevel, .chatEfficacy]),
        ("primer-contacto", "Solución en el primer contacto", [.firstContactResolution]),
        ("quejas", "Peticiones, quejas y reclamos (PQR)", [.pqrOnTime, .complaintIndex]),
        ("sugerencias", "Sugerencias", [.suggestionsAnswered, .suggestionChanges]),
        ("satisfaccion", "Satisfacción de los clientes", [.satisfaction, .satisfactionAverage, .campaignSatisfaction]),
    ]

    /// At most this many bars per chart (the table lists them all).
    static let maxBars = 12

    static func page(
        utility: UtilityProfile, figures: IndicatorService.MonthFigures, trend: [IndicatorService.MonthFigures],
        current: BillingPeriod, rules: IndicatorRules = IndicatorRules()
    ) -> Page {
        let month = figures.month
        let cards = Indicator.allCases.map { indicator in
            let total = figures.figure(indicator)
            return Card(
                id: indicator.rawValue, title: indicator.title, value: indicator.display(total?.value),
                detail: "\(SpanishNumber.integer(total?.cases ?? 0)) \(indicator.casesLabel)"
            )
        }
        let sections = Self.sections.map { section in
            Section(id: section.id, title: section.title, blocks: section.indicators.map { block($0, figures, rules: rules) })
        }
        var options: [SelectOption] = []
        var cursor = current
        for _ in 0..<13 {
            options.append(.init(value: cursor.description, label: cursor == current ? cursor.displayName + " (en curso)" : cursor.displayName, selected: cursor == month))
            cursor = cursor.previous
        }
        if !options.contains(where: \.selected) {
            options.append(.init(value: month.description, label: month.displayName, selected: true))
        }
        let day = CivilDate(bogotaAt: figures.computedAt.timeIntervalSince1970)
        return Page(
            title: "Indicadores de atención · \(month.displayName) · \(utility.shortName)", utility: utility,
            month: month.description, monthName: month.displayName, inCourse: month == current, months: options,
            updated: "Cifras calculadas el \(day.displayName), a las \(LiveChatFeed.time(figures.computedAt))",
            cards: cards, sections: sections,
            trendHeaders: Indicator.allCases.map(\.title),
            trend: trend.map { row in
                TrendRow(month: row.month.displayName, values: Indicator.allCases.map { $0.display(row.figure($0)?.value) })
            },
            trendCharts: Indicator.allCases.map { indicator in
                TrendChart(title: indicator.title, svg: BarChart(
                    id: "tendencia-\(indicator.rawValue)", title: "\(indicator.title), los últimos seis meses",
                    bars: trend.reversed().map { BarChart.Bar(label: $0.month.displayName, value: $0.figure(indicator)?.value, text: indicator.short($0.figure(indicator)?.value)) },
                    maximum: indicator.scaleMaximum
                ).svg)
            },
            channelHeaders: SelfServiceTransaction.channels.map(\.title) + ["Total"],
            transactions: transactionRows(figures.transactions),
            transactionsTotal: SpanishNumber.integer(figures.transactions.reduce(0) { $0 + $1.count }),
            transactionLines: transactionLines(figures.transactions),
            csv: "/indicadores.csv?mes=\(month.description)",
            pqr: figures.pqr.map { pqrSummary($0, month: month) }
        )
    }

    /// A line per transaction type: its total and, in words, the channels it came by.
    static func transactionLines(_ counts: [SelfServiceTransaction.Count]) -> [TransactionLine] {
        let table = SelfServiceTransaction.table(counts)
        return SelfServiceTransaction.allCases.map { transaction in
            let row = table[transaction] ?? [:]
            let channels = SelfServiceTransaction.channels.compactMap { channel in row[channel.id].map { "\(channel.title): \(SpanishNumber.integer($0))" } }
            return TransactionLine(title: transaction.title, total: SpanishNumber.integer(row.values.reduce(0, +)), channels: channels.joined(separator: " · "))
        }
    }

    /// A row per transaction type: its count on each channel, then its total.
    static func transactionRows(_ counts: [SelfServiceTransaction.Count]) -> [TrendRow] {
        let table = SelfServiceTransaction.table(counts)
        return SelfServiceTransaction.allCases.map { transaction in
            let row = table[transaction] ?? [:]
            let cells = SelfServiceTransaction.channels.map { SpanishNumber.integer(row[$0.id] ?? 0) }
            return TrendRow(month: transaction.title, values: cells + [SpanishNumber.integer(row.values.reduce(0, +))])
        }
    }

    static func block(_ indicator: Indicator, _ figures: IndicatorService.MonthFigures, rules: IndicatorRules) -> Block {
        let own = figures.figures.filter { $0.indicator == indicator && $0.dimension != .total }
        let kinds = Array(Set(own.map(\.dimension.kind))).sorted()
        let groups = kinds.map { kind -> Group in
            let members = ranked(own.filter { $0.dimension.kind == kind })
            let title = members[0].dimension.groupTitle
            let chart = BarChart(
                id: "grafico-\(indicator.rawValue)-\(kind)",
                title: "\(indicator.title), \(title.lowercased()), \(figures.month.displayName)",
                bars: members.prefix(maxBars).map { BarChart.Bar(label: $0.dimension.label, value: $0.value, text: indicator.short($0.value)) },
                maximum: indicator.scaleMaximum, stacked: true
            )
            return Group(
                title: title, svg: chart.svg,
                rows: members.map { Row(label: $0.dimension.label, value: indicator.display($0.value), cases: SpanishNumber.integer($0.cases)) },
                note: members.count > maxBars ? "El gráfico muestra los \(maxBars) primeros; la tabla trae los \(members.count)." : nil
            )
        }
        let total = figures.figure(indicator)
        return Block(
            id: indicator.rawValue, title: indicator.title, definition: indicator.definition(rules),
            total: indicator.display(total?.value), cases: SpanishNumber.integer(total?.cases ?? 0), casesLabel: indicator.casesLabel, groups: groups
        )
    }

    /// Highest value first (those without data last), then by name.
    static func ranked(_ figures: [Figure]) -> [Figure] {
        figures.sorted { a, b in
            switch (a.value, b.value) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.dimension.label.compare(b.dimension.label, locale: Locale(identifier: "es_CO")) == .orderedAscending
            }
        }
    }
}
