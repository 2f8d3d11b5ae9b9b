import Foundation

/// Phrases grouped by resemblance, for staff to decide on a group at once: TF-IDF over the
/// classifier's features (words, word pairs, character n-grams) within the phrases given, a
/// phrase joining the first group whose leader it resembles (cosine ≥ `closeness`). Leaders are
/// taken in the order given (the most written first).
public enum PhraseGroups {
    public static func group(_ texts: [String], closeness: Double = 0.45) -> [[Int]] {
        let features = texts.map(SimilarityIntentModel.features(of:))
        var frequency: [String: Int] = [:]
        for terms in features { for term in terms.keys { frequency[term, default: 0] += 1 } }
        let vocabulary = Dictionary(uniqueKeysWithValues: frequency.keys.sorted().enumerated().map { ($1, $0) })
        let count = Double(texts.count)
        var idf = [Double](repeating: 0, count: vocabulary.count)
        for (term, index) in vocabulary { idf[index] = log((1 + count) / (1 + Double(frequency[term] ?? 0))) + 1 }
        let vectors = features.map { SimilarityIntentModel.vector($0, vocabulary: vocabulary, idf: idf) }
        var groups: [[Int]] = []
        for (index, vector) in vectors.enumerated() {
            if let group = groups.firstIndex(where: { SimilarityIntentModel.dot(vectors[$0[0]], vector) >= closeness }) {
                groups[group].append(index)
            } else {
                groups.append([index])
            }
        }
        return groups
    }
}
