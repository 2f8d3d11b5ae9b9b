import Foundation

/// Ema's first intent classifier, now her judge of what is out of scope (see `IntentClassifier`).
///
/// Each text becomes a TF-IDF vector over word unigrams, word bigrams and character 3- to
/// 5-grams of the normalised text (the character n-grams make it tolerant of typos and of
/// words it never saw whole). An intent's score blends the cosine similarity to the intent's
/// centroid with the similarity to its closest example; the best intent wins. When even the
/// best score is low, the text is out of scope.
public struct SimilarityIntentModel: Sendable {
    typealias Vector = [Int: Double]

    private let vocabulary: [String: Int]
    private let idf: [Double]
    private let centroids: [(intent: Intent, vector: Vector)]
    private let examples: [(intent: Intent, vector: Vector)]
    /// Below this score the text is `fuera_de_alcance`.
    public let threshold: Double

    public init(examples labelled: [IntentExample], threshold: Double = 0.3) {
        self.threshold = threshold
        let featureLists = labelled.map { Self.features(of: $0.text) }
        var vocabulary: [String: Int] = [:]
        var documentFrequency: [Int] = []
        for features in featureLists {
            for feature in Set(features.keys) {
                if let index = vocabulary[feature] {
                    documentFrequency[index] += 1
                } else {
                    vocabulary[feature] = documentFrequency.count
                    documentFrequency.append(1)
                }
            }
        }
        let count = Double(max(1, labelled.count))
        let idf = documentFrequency.map { log((1 + count) / (1 + Double($0))) + 1 }
        self.vocabulary = vocabulary
        self.idf = idf

        let vectors = featureLists.map { Self.vector($0, vocabulary: vocabulary, idf: idf) }
        examples = zip(labelled, vectors).map { ($0.intent, $1) }
        var sums: [Intent: Vector] = [:]
        for (example, vector) in zip(labelled, vectors) {
            var sum = sums[example.intent] ?? [:]
            for (index, value) in vector { sum[index, default: 0] += value }
            sums[example.intent] = sum
        }
        centroids = sums.map { ($0.key, Self.normalized($0.value)) }.sorted { $0.intent.rawValue < $1.intent.rawValue }
    }

    /// The most likely intent of a text, or `fuera_de_alcance` when nothing fits well enough.
    public func classify(_ text: String) -> IntentClassifier.Prediction {
        let ranked = rank(text)
        guard let best = ranked.first, best.score >= threshold else {
            return .init(intent: .fueraDeAlcance, confidence: Self.rounded(1 - (ranked.first?.score ?? 0)))
        }
        return .init(intent: best.intent, confidence: Self.rounded(best.score))
    }

    /// Every intent with its score, best first.
    public func rank(_ text: String) -> [(intent: Intent, score: Double)] {
        let vector = Self.vector(Self.features(of: text), vocabulary: vocabulary, idf: idf)
        guard !vector.isEmpty else { return [] }
        var nearest: [Intent: Double] = [:]
        for example in examples {
            let similarity = Self.dot(vector, example.vector)
            if similarity > nearest[example.intent] ?? -1 { nearest[example.intent] = similarity }
        }
        return centroids.map { centroid in
            (centroid.intent, 0.5 * Self.dot(vector, centroid.vector) + 0.5 * (nearest[centroid.intent] ?? 0))
        }.sorted { $0.1 > $1.1 }
    }

    static func rounded(_ value: Double) -> Double {
        (min(1, max(0, value)) * 1000).rounded() / 1000
    }

    /// Term counts of word unigrams, bigrams and character n-grams (3–5) of the normalised text.
    static func features(of text: String) -> [String: Double] {
        let all = TextNormalizer.normalize(text).split(separator: " ").map(String.init)
        // Courtesy words say nothing of the request ("Buenas tardes, parce, …"): they are left
        // out whenever something else remains, so a greeting does not outweigh the request.
        let content = all.filter { !courtesy.contains($0) }
        return ngrams(content.isEmpty ? all : content, pairs: "b:", characters: 3...5)
    }

    /// Counts of the words ("w:"), the word pairs (under `pairs`) and the character n-grams
    /// ("c:") of each word padded with spaces.
    static func ngrams(_ words: [String], pairs: String, characters sizes: ClosedRange<Int>) -> [String: Double] {
        var counts: [String: Double] = [:]
        for (index, word) in words.enumerated() {
            counts["w:" + word, default: 0] += 1
            if index + 1 < words.count { counts[pairs + word + " " + words[index + 1], default: 0] += 1 }
            let padded = Array(" " + word + " ")
            for size in sizes where padded.count >= size {
                for start in 0...(padded.count - size) {
                    counts["c:" + String(padded[start..<start + size]), default: 0] += 1
                }
            }
        }
        return counts
    }

    static let courtesy: Set<String> = [
        "hola", "buenas", "buenos", "buen", "dias", "dia", "tardes", "noches", "favor", "parce", "parcero", "mijo", "mija",
        "vecino", "vecina", "senor", "senora", "senorita", "don", "dona", "ema", "oiga", "oye", "pues", "saludos", "cordial",
        "amable", "quiubo", "hey", "ey", "alo", "disculpe", "pena",
    ]

    static func vector(_ counts: [String: Double], vocabulary: [String: Int], idf: [Double]) -> Vector {
        var vector: Vector = [:]
        for (feature, count) in counts {
            guard let index = vocabulary[feature] else { continue }
            // Character n-grams weigh less each: there are many of them per word.
            let weight = feature.hasPrefix("c:") ? 0.5 : 1.0
            vector[index] = (1 + log(count)) * idf[index] * weight
        }
        return normalized(vector)
    }

    static func normalized(_ vector: Vector) -> Vector {
        let norm = vector.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return vector }
        return vector.mapValues { $0 / norm }
    }

    static func dot(_ a: Vector, _ b: Vector) -> Double {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var sum = 0.0
        for (index, value) in small { if let other = large[index] { sum += value * other } }
        return sum
    }
}
