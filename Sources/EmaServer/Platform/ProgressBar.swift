import Foundation
import NIOConcurrencyHelpers

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar: Sendable {
    private struct State { var lastDraw = Date.distantPast; var lastPhase = ""; var drawn = false }
    private let enabled: Bool
    private let state = NIOLockedValueBox(State())

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Redraws at most ten times a second, and whenever the phase changes.
    func update(_ phase: CSVFileImporter.Phase, _ done: Int, _ total: Int) {
        draw(phase.rawValue, done, total, String(format: "%.1f/%.1f MB", Double(done) / 1_048_576, Double(total) / 1_048_576))
    }

    /// The same for counted things ("12000/1000000").
    func update(_ phase: String, count done: Int, of total: Int) {
        draw(phase, done, total, "\(done)/\(total)")
    }

    private func draw(_ phase: String, _ done: Int, _ total: Int, _ figures: String) {
        guard enabled else { return }
        state.withLockedValue { state in
            let now = Date()
            guard phase != state.lastPhase || now.timeIntervalSince(state.lastDraw) > 0.1 || done == total else { return }
            if phase != state.lastPhase, state.drawn { Self.write("\n") }
            state.lastPhase = phase
            state.lastDraw = now
            state.drawn = true
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            Self.write("\r\(phase.padding(toLength: 19, withPad: " ", startingAt: 0)) \(bar) \(Int(fraction * 100))%  \(figures)")
        }
    }

    func finish() {
        guard enabled else { return }
        state.withLockedValue { state in
            if state.drawn { Self.write("\n") }
            state.drawn = false
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
