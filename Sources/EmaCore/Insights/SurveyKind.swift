/// What a satisfaction survey asks about. `rawValue` is what `survey_responses` stores.
public enum SurveyKind: String, CaseIterable, Sendable {
    case chat, queja, oficina, campana

    public var title: String {
        switch self {
        case .chat: "Chat con asesor"
        case .queja: "Quejas respondidas"
        case .oficina: "Atención en oficinas"
        case .campana: "Encuesta periódica"
        }
    }
}

extension Indicators {
    /// One question of a periodic survey: its scores added and counted.
    public struct QuestionSum: Sendable, Equatable {
        public var id: String
        public var text: String
        public var total: Int
        public var count: Int

        public init(id: String, text: String, total: Int, count: Int) {
            (self.id, self.text, self.total, self.count) = (id, text, total, count)
        }
    }

    /// The month's campaign: the general question's average as the total, each question's by
    /// question (two decimals); «sin datos» without a campaign.
    public static func campaign(_ questions: [QuestionSum], general: String = "general") -> [Figure] {
        var figures = questions.filter { $0.count > 0 }.map {
            Figure(indicator: .campaignSatisfaction, dimension: .question($0.id, text: $0.text), value: ratio($0.total, $0.count, decimals: 2), cases: $0.count)
        }
        let main = questions.first { $0.id == general }
        figures.append(Figure(indicator: .campaignSatisfaction, dimension: .total, value: main.flatMap { ratio($0.total, $0.count, decimals: 2) }, cases: main?.count ?? 0))
        return figures
    }

    /// The PQR answered in the month within their term.
    public static func pqrOnTime(answered: Int, onTime: Int) -> [Figure] {
        [Figure(indicator: .pqrOnTime, dimension: .total, value: ratio(onTime * 100, answered, decimals: 1), cases: answered)]
    }
}
