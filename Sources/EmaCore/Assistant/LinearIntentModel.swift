import Foundation

/// A linear support vector machine over TF-IDF features, one against the rest per intent — the
/// standard text classifier (LIBLINEAR's L2-regularized L2-loss SVC, solved in the dual by
/// coordinate descent, Hsieh et al. 2008), written here so Ema trains it at start-up from
/// `Resources/nlu/training.tsv` in a fraction of a second.
///
/// Features, as a standard pipeline builds them: word unigrams and bigrams, and character 2- to
/// 5-grams inside each word padded with spaces, of the normalised text; each family weighed by
/// sublinear term frequency and smoothed IDF, L2-normalised, then the two put side by side.
public struct LinearIntentModel: Sendable {
    /// Sparse features: (index, value), indexes ascending.
    typealias Features = [(index: Int, value: Double)]

    public struct Options: Sendable, Equatable {
        /// The penalty of a margin violation (LIBLINEAR's C).
        public var cost = 1.0
        /// Stop when the projected gradient's spread falls below this.
        public var tolerance = 0.1
        public var maxPasses = 1_000

        public init() {}
    }

    private let vocabulary: [String: Int]
    private let idf: [Double]
    /// The intents, in the order of `weights`.
    let intents: [Intent]
    /// One weight vector per intent, the bias last.
    private let weights: [[Double]]

    public init(examples labelled: [IntentExample], options: Options = Options()) {
        let counted = labelled.map { Self.terms(of: $0.text) }
        var vocabulary: [String: Int] = [:]
        var documentFrequency: [Int] = []
        for terms in counted {
            for term in terms.keys {
                if let index = vocabulary[term] {
                    documentFrequency[index] += 1
                } else {
                    vocabulary[term] = documentFrequency.count
                    documentFrequency.append(1)
                }
            }
        }
        let documents = Double(labelled.count)
        let idf = documentFrequency.map { log((1 + documents) / (1 + Double($0))) + 1 }
        self.idf = idf
        self.vocabulary = vocabulary
        let rows = counted.map { Self.features($0, vocabulary: vocabulary, idf: idf) }
        let intents = Array(Set(labelled.map(\.intent))).sorted { $0.rawValue < $1.rawValue }
        self.intents = intents
        let dimension = vocabulary.count + 1
        weights = intents.map { intent in
            Self.train(rows: rows, labels: labelled.map { $0.intent == intent ? 1 : -1 }, dimension: dimension, options: options)
        }
    }

    /// Each intent's decision value (the signed distance to its margin, in units of the
    /// margin), best first; none when the text has no feature the examples had.
    public func scores(_ text: String) -> [(intent: Intent, score: Double)] {
        let row = Self.features(Self.terms(of: text), vocabulary: vocabulary, idf: idf)
        guard row.count > 1 else { return [] }
        return zip(intents, weights).map { intent, weight in (intent, Self.decision(weight, row)) }.sorted { $0.score > $1.score }
    }

    /// The intent with the highest decision value; `fuera_de_alcance` when nothing is known.
    public func classify(_ text: String) -> IntentClassifier.Prediction {
        guard let best = scores(text).first else { return .init(intent: .fueraDeAlcance, confidence: 1) }
        return .init(intent: best.intent, confidence: Self.confidence(best.score))
    }

    /// A decision value as 0…1: ½ on the margin's edge, near 1 well inside it.
    static func confidence(_ score: Double) -> Double {
        SimilarityIntentModel.rounded(1 / (1 + exp(-2 * score)))
    }

    // MARK: Features

    /// Term counts: words and word pairs ("w:"), character n-grams ("c:").
    static func terms(of text: String) -> [String: Double] {
        SimilarityIntentModel.ngrams(TextNormalizer.normalize(text).split(separator: " ").map(String.init), pairs: "w:", characters: 2...5)
    }

    /// Sublinear TF times IDF, each family L2-normalised, the bias feature (1) last.
    static func features(_ counts: [String: Double], vocabulary: [String: Int], idf: [Double]) -> Features {
        var words: Features = []
        var characters: Features = []
        for (term, count) in counts {
            guard let index = vocabulary[term] else { continue }
            let value = (1 + log(count)) * idf[index]
            if term.hasPrefix("w:") { words.append((index, value)) } else { characters.append((index, value)) }
        }
        func normalized(_ family: Features) -> Features {
            let norm = family.reduce(0) { $0 + $1.value * $1.value }.squareRoot()
            return norm > 0 ? family.map { ($0.index, $0.value / norm) } : family
        }
        return (normalized(words) + normalized(characters)).sorted { $0.index < $1.index } + [(vocabulary.count, 1)]
    }

    static func decision(_ weight: [Double], _ row: Features) -> Double {
        var sum = 0.0
        for (index, value) in row { sum += weight[index] * value }
        return sum
    }

    // MARK: Training

    /// Dual coordinate descent for min ½‖w‖² + C Σ max(0, 1 − yᵢ w·xᵢ)².
    static func train(rows: [Features], labels: [Double], dimension: Int, options: Options) -> [Double] {
        var weight = [Double](repeating: 0, count: dimension)
        var alpha = [Double](repeating: 0, count: rows.count)
        let diagonal = 1 / (2 * options.cost)
        let squaredNorms = rows.map { $0.reduce(0) { $0 + $1.value * $1.value } + diagonal }
        var order = Array(rows.indices)
        var random = SplitMix64(seed: 0x656D61)
        for _ in 0..<options.maxPasses {
            order.shuffle(using: &random)
            var largest = -Double.infinity, smallest = Double.infinity
            for i in order {
                let gradient = labels[i] * decision(weight, rows[i]) - 1 + diagonal * alpha[i]
                let projected = alpha[i] == 0 ? min(gradient, 0) : gradient
                largest = max(largest, projected)
                smallest = min(smallest, projected)
                guard abs(projected) > 1e-12 else { continue }
                let previous = alpha[i]
                alpha[i] = max(previous - gradient / squaredNorms[i], 0)
                let step = (alpha[i] - previous) * labels[i]
                for (index, value) in rows[i] { weight[index] += step * value }
            }
            if largest - smallest < options.tolerance { break }
        }
        return weight
    }
}

/// A small seeded generator, so the same examples always train the same model (and the demo's
/// figures are the same on every machine).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
