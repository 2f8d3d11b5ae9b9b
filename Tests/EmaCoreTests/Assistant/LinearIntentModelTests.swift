import EmaCore
import Foundation
import Testing

@Suite("Linear intent model")
struct LinearIntentModelTests {
    static let model: LinearIntentModel? = try? LinearIntentModel(examples: IntentClassifierTests.examples("training.tsv"))

    @Test("Separates what it was trained on")
    func fitsTraining() throws {
        let model = try #require(Self.model)
        let training = try IntentClassifierTests.examples("training.tsv")
        let evaluation = IntentEvaluation(examples: training) { model.classify($0).intent }
        #expect(evaluation.accuracy >= 0.98)
    }

    @Test("The same examples train the same model")
    func deterministic() throws {
        let training = try IntentClassifierTests.examples("training.tsv")
        let again = LinearIntentModel(examples: training)
        let model = try #require(Self.model)
        for text in ["me llegó muy cara la factura", "dónde pago", "quien gano el partido"] {
            // Equal but for the order floating-point sums are taken in.
            #expect(again.scores(text).map(\.intent) == model.scores(text).map(\.intent))
            #expect(zip(again.scores(text), model.scores(text)).allSatisfy { abs($0.score - $1.score) < 1e-9 })
        }
    }

    @Test("A message of several sentences is read by its clearest request")
    func severalSentences() throws {
        let classifier = try #require(IntentClassifierTests.classifier)
        #expect(classifier.classify("hola buenas tardes, es que me llegó muy cara la factura del contrato 1023 4567, quiero reclamar").intent == .radicarPQR)
        #expect(classifier.classify("Buenos días. Muchas gracias por todo. ¿Dónde queda la oficina de Bello?").intent == .oficinas)
        #expect(classifier.classify("hola, buenas noches").intent == .saludo)
        #expect(IntentClassifier.clauses(of: "hola, ¿cómo estás? 123") == ["hola", "cómo estás"])
    }

    @Test("Side by side on the sets written apart", arguments: ["heldout.tsv", "test.tsv"])
    func sideBySide(file: String) throws {
        let model = try #require(Self.model)
        let classifier = try #require(IntentClassifierTests.classifier)
        let examples = try IntentClassifierTests.examples(file)
        let linear = IntentEvaluation(examples: examples) { model.classify($0).intent }
        // Ema's classifier before this one: similarity alone, out of scope below 0.3.
        let before = SimilarityIntentModel(examples: try IntentClassifierTests.examples("training.tsv"), threshold: 0.3)
        let similarity = IntentEvaluation(examples: examples) { before.classify($0).intent }
        let ema = IntentEvaluation(classifier: classifier, examples: examples)
        print("\(file) — SVM lineal\n\(linear.summary)\n\(file) — similitud\n\(similarity.summary)\n\(file) — Ema\n\(ema.summary)")
        // Ema's classifier reads service requests at least as well as the standard linear model
        // (within two phrases), and out-of-scope text as well as similarity alone.
        #expect(ema.correct >= linear.correct - 2)
        #expect(ema.inScopeCorrect >= similarity.inScopeCorrect)
        #expect(ema.outOfScopeRecognized >= similarity.outOfScopeRecognized)
    }
}
