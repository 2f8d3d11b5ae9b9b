/// Accuracy of a classifier on labelled examples it was not trained on.
public struct IntentEvaluation: Sendable {
    public let total: Int
    public let correct: Int
    public let inScopeTotal: Int
    public let inScopeCorrect: Int
    public let outOfScopeTotal: Int
    public let outOfScopeRecognized: Int
    /// (expected, predicted, text) for every miss.
    public let misses: [(expected: Intent, predicted: Intent, text: String)]

    public init(classifier: IntentClassifier, examples: [IntentExample]) {
        self.init(examples: examples) { classifier.classify($0).intent }
    }

    /// Any model's predictions on the examples.
    public init(examples: [IntentExample], predict: (String) -> Intent) {
        var correct = 0, inTotal = 0, inCorrect = 0, outTotal = 0, outCorrect = 0
        var misses: [(Intent, Intent, String)] = []
        for example in examples {
            let predicted = predict(example.text)
            let hit = predicted == example.intent
            if hit { correct += 1 } else { misses.append((example.intent, predicted, example.text)) }
            if example.intent == .fueraDeAlcance {
                outTotal += 1
                if hit { outCorrect += 1 }
            } else {
                inTotal += 1
                if hit { inCorrect += 1 }
            }
        }
        total = examples.count
        self.correct = correct
        inScopeTotal = inTotal
        inScopeCorrect = inCorrect
        outOfScopeTotal = outTotal
        outOfScopeRecognized = outCorrect
        self.misses = misses
    }

    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    public var inScopeAccuracy: Double { inScopeTotal == 0 ? 0 : Double(inScopeCorrect) / Double(inScopeTotal) }
    public var outOfScopeRecall: Double { outOfScopeTotal == 0 ? 0 : Double(outOfScopeRecognized) / Double(outOfScopeTotal) }

    public var summary: String {
        func percent(_ value: Double) -> String { String(Int((value * 1000).rounded()) / 10) + "." + String(Int((value * 1000).rounded()) % 10) + " %" }
        var lines = [
            "ejemplos: \(total)",
            "exactitud total: \(percent(accuracy)) (\(correct)/\(total))",
            "exactitud en intenciones del servicio: \(percent(inScopeAccuracy)) (\(inScopeCorrect)/\(inScopeTotal))",
            "fuera de alcance reconocido: \(percent(outOfScopeRecall)) (\(outOfScopeRecognized)/\(outOfScopeTotal))",
        ]
        if !misses.isEmpty {
            lines.append("errores:")
            lines += misses.map { "  \($0.expected.rawValue) → \($0.predicted.rawValue): \($0.text)" }
        }
        return lines.joined(separator: "\n")
    }
}
