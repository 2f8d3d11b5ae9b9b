import Foundation

/// An area of the utility that receives suggestions (`utility.json`, `suggestionAreas`): seed
/// 002 says suggestions «se analizan y se remiten a las áreas competentes… se contacta al
/// cliente». `keywords` route a suggestion on its own when filed; the PQR desk routes the rest.
public struct SuggestionArea: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    /// Words (any case, with or without accents) that send a suggestion here.
    public var keywords: [String]

    public init(id: String, name: String, keywords: [String] = []) {
        (self.id, self.name, self.keywords) = (id, name, keywords)
    }

    /// The area whose keywords the text names most (the first listed on a tie); nil when none.
    public static func route(_ text: String, among areas: [SuggestionArea]) -> SuggestionArea? {
        let words = " " + TextNormalizer.normalize(text) + " "
        var best: (area: SuggestionArea, hits: Int)?
        for area in areas {
            let hits = area.keywords.filter { keyword in
                let normalized = TextNormalizer.normalize(keyword)
                return !normalized.isEmpty && words.contains(" " + normalized + " ")
            }.count
            if hits > 0, hits > (best?.hits ?? 0) { best = (area, hits) }
        }
        return best?.area
    }

    /// What is wrong with a list of areas, or nil: ids are short lowercase words, unique; names
    /// are given.
    public static func problem(_ areas: [SuggestionArea]) -> String? {
        var seen: Set<String> = []
        for area in areas {
            guard area.id.range(of: "^[a-z0-9_]{2,40}$", options: .regularExpression) != nil else {
                return "suggestionAreas: el id «\(area.id)» debe tener de 2 a 40 letras minúsculas, números o _"
            }
            guard seen.insert(area.id).inserted else { return "suggestionAreas: el id «\(area.id)» está repetido" }
            guard !area.name.trimmingCharacters(in: .whitespaces).isEmpty else { return "suggestionAreas: el área «\(area.id)» no tiene nombre" }
        }
        return nil
    }
}

extension Indicators {
    /// Suggestions of a month in one area (nil: not yet routed): received, answered, and those
    /// that led to a change.
    public struct SuggestionFact: Sendable, Equatable {
        public var area: String?
        public var received: Int
        public var answered: Int
        public var changes: Int

        public init(area: String?, received: Int, answered: Int, changes: Int) {
            (self.area, self.received, self.answered, self.changes) = (area, received, answered, changes)
        }
    }

    public static let notRouted = "Sin remitir todavía"

    /// Answered over received (percent), and the changes they led to (a count), in total and by
    /// area.
    public static func suggestions(_ facts: [SuggestionFact]) -> [Figure] {
        var totals: [IndicatorDimension: (received: Int, answered: Int, changes: Int)] = [:]
        for fact in facts {
            for dimension in [IndicatorDimension.total, .area(fact.area ?? notRouted)] {
                let now = totals[dimension] ?? (0, 0, 0)
                totals[dimension] = (now.received + fact.received, now.answered + fact.answered, now.changes + fact.changes)
            }
        }
        if totals[.total] == nil { totals[.total] = (0, 0, 0) }
        return sorted(totals.flatMap { dimension, count in [
            Figure(indicator: .suggestionsAnswered, dimension: dimension, value: ratio(count.answered * 100, count.received, decimals: 1), cases: count.received),
            Figure(indicator: .suggestionChanges, dimension: dimension, value: count.received == 0 ? nil : Double(count.changes), cases: count.answered),
        ] })
    }
}
