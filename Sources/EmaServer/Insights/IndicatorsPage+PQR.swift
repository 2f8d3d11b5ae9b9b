import EmaCore
import Foundation

/// The month's PQR statistics on the public page (seed 002 publishes «las estadísticas
/// mensuales de PQR»): how many were filed, by type, causal, service and municipality, and how
/// many answers went out within their term. Counts only.
extension IndicatorsPage {
    struct PQRRow: Encodable {
        let label: String
        let count: String
        let share: String
    }

    struct PQRGroup: Encodable {
        let id: String
        let title: String
        /// «por tipo».
        let lower: String
        let svg: String
        let rows: [PQRRow]
    }

    struct PQRSummary: Encodable {
        let filed: String
        let answered: String
        let onTime: String
        let averageDays: String
        let groups: [PQRGroup]
    }

    static func pqrSummary(_ stats: CaseStatistics.Month, month: BillingPeriod) -> PQRSummary {
        let groups: [(id: String, title: String, counts: [CaseStatistics.Count])] = [
            ("tipo", "Por tipo", stats.byType), ("causal", "Por causa", stats.byCausal),
            ("servicio", "Por servicio", stats.byService), ("municipio", "Por municipio", stats.byMunicipality),
        ]
        return PQRSummary(
            filed: SpanishNumber.integer(stats.filed), answered: SpanishNumber.integer(stats.answered),
            onTime: Indicator.pqrOnTime.display(stats.onTimeShare),
            averageDays: stats.averageBusinessDays.map { SpanishNumber.decimal($0, places: 1) + " días hábiles" } ?? "sin datos",
            groups: groups.filter { !$0.counts.isEmpty }.map { group in
                PQRGroup(
                    id: "pqr-" + group.id, title: group.title, lower: group.title.lowercased(),
                    svg: BarChart(id: "grafico-pqr-\(group.id)", title: "PQR radicadas, \(group.title.lowercased()), \(month.displayName)",
                                  bars: group.counts.prefix(maxBars).map { BarChart.Bar(label: $0.label, value: Double($0.count), text: SpanishNumber.integer($0.count)) },
                                  stacked: true).svg,
                    rows: group.counts.map { count in
                        PQRRow(label: count.label, count: SpanishNumber.integer(count.count),
                               share: Indicators.ratio(count.count * 100, stats.filed, decimals: 1).map { SpanishNumber.decimal($0, places: 1) + " %" } ?? "—")
                    }
                )
            }
        )
    }

    /// The CSV's lines for the month's PQR: `2026-11,pqr_radicadas,tipo:Queja,12,pqr,12`.
    static func pqrCSV(_ stats: CaseStatistics.Month) -> String {
        var lines = [[stats.month, "pqr_radicadas", "total", String(stats.filed), "pqr", String(stats.filed)]]
        for (prefix, counts) in [("tipo", stats.byType), ("causal", stats.byCausal), ("servicio", stats.byService), ("municipio", stats.byMunicipality)] {
            lines += counts.map { [stats.month, "pqr_radicadas", "\(prefix):\($0.label)", String($0.count), "pqr", String($0.count)] }
        }
        lines.append([stats.month, "pqr_respondidas", "total", String(stats.answered), "pqr", String(stats.answered)])
        lines.append([stats.month, "pqr_dias_habiles_promedio", "total", stats.averageBusinessDays.map { String(format: "%.1f", $0) } ?? "", "días hábiles", String(stats.answered)])
        return lines.map(CaseStatistics.csvLine).joined()
    }
}
