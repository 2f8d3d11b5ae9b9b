import Foundation

/// An article of the utility's knowledge base, as Ema searches it: its title and the questions
/// people ask about it weigh most; its body helps.
public struct ArticleEntry: Sendable, Equatable {
    public let slug: String
    public let title: String
    public let questions: [String]
    public let body: String

    public init(slug: String, title: String, questions: [String], body: String) {
        self.slug = slug
        self.title = title
        self.questions = questions
        self.body = body
    }
}

/// Finds the article that answers a question: TF-IDF over the same features as the intent
/// classifier (words, word pairs, character 3–5-grams), the best of the article's title and
/// questions blended with its body.
public struct ArticleIndex: Sendable {
    typealias Vector = SimilarityIntentModel.Vector

    public struct Match: Sendable, Equatable {
        public let slug: String
        /// 0…1.
        public let score: Double
    }

    private let vocabulary: [String: Int]
    private let idf: [Double]
    private let entries: [(slug: String, questions: [Vector], body: Vector)]
    /// Each article's topic words (stems), in `entries`' order.
    private let topics: [Set<String>]

    public init(_ articles: [ArticleEntry]) {
        let questionTexts = articles.map { [$0.title] + $0.questions }
        let documents = questionTexts.flatMap { $0 } + articles.map(\.body)
        let features = documents.map(SimilarityIntentModel.features(of:))
        var vocabulary: [String: Int] = [:]
        var frequency: [Int] = []
        for counts in features {
            for feature in counts.keys {
                if let index = vocabulary[feature] { frequency[index] += 1 } else { vocabulary[feature] = frequency.count; frequency.append(1) }
            }
        }
        let total = Double(max(1, documents.count))
        let idf = frequency.map { log((1 + total) / (1 + Double($0))) + 1 }
        self.vocabulary = vocabulary
        self.idf = idf
        var cursor = 0
        var entries: [(slug: String, questions: [Vector], body: Vector)] = []
        for (article, texts) in zip(articles, questionTexts) {
            let vectors = features[cursor..<cursor + texts.count].map { SimilarityIntentModel.vector($0, vocabulary: vocabulary, idf: idf) }
            cursor += texts.count
            entries.append((article.slug, Array(vectors), [:]))
        }
        for index in entries.indices {
            entries[index].body = SimilarityIntentModel.vector(features[cursor + index], vocabulary: vocabulary, idf: idf)
        }
        self.entries = entries
        topics = zip(articles, questionTexts).map { article, texts in Self.stems((texts + [article.body]).joined(separator: " ")) }
    }

    /// The articles for `text`, best first, at most `limit`.
    public func search(_ text: String, limit: Int = 5) -> [Match] {
        let query = SimilarityIntentModel.vector(SimilarityIntentModel.features(of: text), vocabulary: vocabulary, idf: idf)
        let asked = Self.stems(text)
        guard !query.isEmpty else { return [] }
        return zip(entries, topics).compactMap { entry, topic in
            // Grammar alone («¿cuál es la…?») is no match: a topic word must be shared.
            guard !asked.isDisjoint(with: topic) else { return nil }
            let best = entry.questions.map { SimilarityIntentModel.dot(query, $0) }.max() ?? 0
            let body = SimilarityIntentModel.dot(query, entry.body)
            return Match(slug: entry.slug, score: SimilarityIntentModel.rounded(0.8 * best + 0.2 * body))
        }
        .filter { $0.score > 0 }
        .sorted { $0.score > $1.score || ($0.score == $1.score && $0.slug < $1.slug) }
        .prefix(limit).map { $0 }
    }

    /// Spanish words that say nothing of the topic («cuál es la…», «de», «que»): left out of
    /// both sides, so a question about anything does not match an article by its grammar.
    static let stopwords: Set<String> = [
        "a", "al", "algo", "como", "con", "cual", "cuales", "cuando", "de", "del", "donde", "el", "ella", "en", "es", "esta", "este", "esto",
        "hay", "la", "las", "le", "lo", "los", "me", "mi", "mis", "muy", "no", "o", "para", "pero", "por", "porque", "puedo", "que", "quien",
        "se", "si", "sin", "son", "su", "sus", "tan", "te", "tengo", "tu", "tus", "un", "una", "uno", "y", "ya", "yo", "hace", "hacer", "sobre",
    ]

    /// The topic words of a text, cut to five letters («facturas», «facturación» → «factu»).
    static func stems(_ text: String) -> Set<String> {
        Set(TextNormalizer.normalize(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count > 2 && !stopwords.contains($0) }.map { String($0.prefix(5)) })
    }

    /// The article that answers `text` well enough, or nil.
    public func best(_ text: String, threshold: Double = 0.3) -> Match? {
        search(text, limit: 1).first.flatMap { $0.score >= threshold ? $0 : nil }
    }
}
