import Foundation

/// Ema's intent classifier, trained at start-up from labelled examples: a linear SVM
/// (`LinearIntentModel`) chooses the intent — it reads phrasing it never saw better than
/// similarity does — and the similarity model (`SimilarityIntentModel`) says when nothing the
/// utility serves fits, which it does better. Both rules' floors were chosen on `heldout.tsv`;
/// `test.tsv` only measures (see BENCHMARKS.md, «Comprensión»).
///
/// A message of several sentences or clauses («hola buenas tardes, es que me llegó muy cara la
/// factura, quiero reclamar») is read whole, and when the whole says no more than a greeting,
/// a thanks or a yes, by its clauses: the clearest request among them wins.
public struct IntentClassifier: Sendable {
    public struct Prediction: Sendable, Equatable {
        public let intent: Intent
        /// 0…1: how sure the model is (½ at the SVM's margin; for out-of-scope text, how far
        /// it is from every example).
        public let confidence: Double

        public init(intent: Intent, confidence: Double) {
            self.intent = intent
            self.confidence = confidence
        }
    }

    public let linear: LinearIntentModel
    public let similarity: SimilarityIntentModel
    /// Out of scope when the similarity to every intent is below this…
    public static let similarityFloor = 0.28
    /// …or the SVM's best decision value is below this.
    public static let marginFloor = -0.5

    public init(examples: [IntentExample]) {
        linear = LinearIntentModel(examples: examples)
        similarity = SimilarityIntentModel(examples: examples, threshold: Self.similarityFloor)
    }

    /// The most likely intent of a text, or `fuera_de_alcance` when nothing fits well enough.
    public func classify(_ text: String) -> Prediction {
        let whole = single(text)
        guard !Self.asksSomething(whole.prediction.intent) else { return whole.prediction }
        let clauses = Self.clauses(of: text)
        guard clauses.count > 1 else { return whole.prediction }
        let requests = clauses.map(single).filter { Self.asksSomething($0.prediction.intent) }
        return requests.max { $0.margin < $1.margin }?.prediction ?? whole.prediction
    }

    /// One piece of text: the SVM's intent unless either model finds it out of scope.
    func single(_ text: String) -> (prediction: Prediction, margin: Double) {
        guard let best = linear.scores(text).first else { return (.init(intent: .fueraDeAlcance, confidence: 1), -.infinity) }
        let nearest = similarity.rank(text).first?.score ?? 0
        if nearest < Self.similarityFloor || best.score < Self.marginFloor {
            return (.init(intent: .fueraDeAlcance, confidence: SimilarityIntentModel.rounded(1 - nearest)), best.score)
        }
        return (.init(intent: best.intent, confidence: LinearIntentModel.confidence(best.score)), best.score)
    }

    /// Whether an intent is a request (not a greeting, thanks, goodbye, yes, no, or nothing).
    static func asksSomething(_ intent: Intent) -> Bool {
        ![.saludo, .gracias, .despedida, .afirmar, .negar, .fueraDeAlcance].contains(intent)
    }

    /// The sentences and comma-separated clauses of a message, each with a word at least.
    public static func clauses(of text: String) -> [String] {
        text.split(whereSeparator: { ".,;:!?¡¿\n".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.contains { $0.isLetter } }
    }
}
