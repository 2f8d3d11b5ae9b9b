import EmaCore
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Classifiers trained in this process, by their examples: applications made from the same
/// shipped file (a second node in tests, the test suite's hundreds) train it once.
private let trainedClassifiers = NIOLockedValueBox<[[IntentExample]: IntentClassifier]>([:])

extension Application {
    private struct ClassifierKey: StorageKey { typealias Value = IntentClassifier }
    private struct ModelsKey: StorageKey { typealias Value = IntentModels }

    /// The classifier with what staff taught, retrained when that changes (made at start-up).
    var intentModels: IntentModels {
        guard let models = storage[ModelsKey.self] else { fatalError("configure(_:config:) was not called") }
        return models
    }

    /// The intent classifier, trained at start-up from `Resources/nlu/training.tsv`.
    public var intentClassifier: IntentClassifier {
        get {
            guard let classifier = storage[ClassifierKey.self] else { fatalError("configure(_:config:) was not called") }
            return classifier
        }
        set { storage[ClassifierKey.self] = newValue }
    }

    /// Reads the training examples and trains the classifier; a bad line stops the start.
    func trainIntentClassifier() throws {
        let shipped = try trainingExamples()
        if let trained = trainedClassifiers.withLockedValue({ $0[shipped] }) {
            intentClassifier = trained
        } else {
            intentClassifier = IntentClassifier(examples: shipped)
            trainedClassifiers.withLockedValue { $0[shipped] = intentClassifier }
        }
        storage[ModelsKey.self] = IntentModels(shipped: shipped, classifier: intentClassifier)
    }

    /// The held-out examples, `Resources/nlu/heldout.tsv`: what teaching is measured on.
    func heldOutExamples() throws -> [IntentExample] {
        try Self.intentExamples(at: directory.resourcesDirectory + "nlu/heldout.tsv")
    }

    /// The shipped training examples, `Resources/nlu/training.tsv`.
    func trainingExamples() throws -> [IntentExample] {
        try Self.intentExamples(at: directory.resourcesDirectory + "nlu/training.tsv")
    }

    static func intentExamples(at path: String) throws -> [IntentExample] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure("No se encontró \(path), los ejemplos de entrenamiento de Ema.")
        }
        do {
            return try IntentExample.parse(tsv: text)
        } catch {
            throw CommandFailure("\(path) tiene líneas inválidas:\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
        }
    }
}
