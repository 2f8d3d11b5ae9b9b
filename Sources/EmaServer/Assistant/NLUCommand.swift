import EmaCore
import Foundation
import Vapor

/// `ema nlu "TEXTO"` prints `{"intent": "<id>", "confidence": <0..1>}`.
/// `ema nlu --evaluate FILE` measures Ema's classifier on a labelled file (`intent<TAB>text`),
/// side by side with the standard linear SVM alone and with Ema's classifier before it
/// (similarity alone), each trained on the same examples.
struct NLUCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "text", help: "El texto que escribió el cliente")
        var text: String

        @Flag(name: "evaluate", help: "Trata el argumento como un archivo de ejemplos etiquetados y mide la exactitud")
        var evaluate: Bool
    }

    var help: String { "Clasifica un texto en una de las intenciones de Ema" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let classifier = context.application.intentClassifier
        if signature.evaluate {
            let examples = try Application.intentExamples(at: signature.text)
            let training = try context.application.trainingExamples()
            let clock = ContinuousClock()
            var linear: LinearIntentModel?
            let linearTime = clock.measure { linear = LinearIntentModel(examples: training) }
            var trained: IntentClassifier?
            let emaTime = clock.measure { trained = IntentClassifier(examples: training) }
            guard let linear, let trained else { return }
            let classifyTime = clock.measure { for example in examples { _ = trained.classify(example.text) } }
            let before = SimilarityIntentModel(examples: training, threshold: 0.3)
            let sections: [(String, IntentEvaluation)] = [
                ("Ema (SVM lineal + similitud para lo que está fuera de alcance)", IntentEvaluation(classifier: classifier, examples: examples)),
                ("SVM lineal sola (TF-IDF palabras 1–2 y caracteres 2–5)", IntentEvaluation(examples: examples) { linear.classify($0).intent }),
                ("Ema antes (similitud sola, umbral 0,3)", IntentEvaluation(examples: examples) { before.classify($0).intent }),
            ]
            for (title, evaluation) in sections {
                context.console.print("== \(title)\n\(evaluation.summary)\n")
            }
            context.console.print("entrenamiento con \(training.count) ejemplos: SVM \(Self.milliseconds(linearTime)) ms, Ema (SVM y similitud) \(Self.milliseconds(emaTime)) ms")
            context.console.print("clasificación: \(examples.count) mensajes en \(Self.milliseconds(classifyTime)) ms")
            return
        }
        let prediction = classifier.classify(signature.text)
        // Written by hand so the keys keep the documented order: intent, then confidence.
        context.console.print("{\"intent\": \"\(prediction.intent.rawValue)\", \"confidence\": \(prediction.confidence)}")
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
