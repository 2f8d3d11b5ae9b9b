import EmaCore
import Foundation
import Vapor

/// `ema nlu "TEXTO"` prints `{"intent": "<id>", "confidence": <0..1>}`.
/// `ema nlu --evaluate FILE` measures the classifier on a labelled file (`intent<TAB>text`).
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
            let report = IntentEvaluation(classifier: classifier, examples: examples)
            context.console.print(report.summary)
            return
        }
        let prediction = classifier.classify(signature.text)
        // Written by hand so the keys keep the documented order: intent, then confidence.
        context.console.print("{\"intent\": \"\(prediction.intent.rawValue)\", \"confidence\": \(prediction.confidence)}")
    }
}
