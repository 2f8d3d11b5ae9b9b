/// Exponential backoff with jitter for retried work.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double
    /// Fraction of the delay that is randomised (0.2 → ±20 %).
    public var jitter: Double

    public init(base: Double = 2, cap: Double = 3_600, jitter: Double = 0.2) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// Seconds to wait after the `attempt`-th failure (1-based): base·2^(attempt−1), capped,
    /// then spread by `random` in 0..<1 so many failures do not retry in step.
    public func delay(afterAttempt attempt: Int, random: Double) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        let raw = min(cap, base * pow2(exponent))
        let spread = raw * jitter * (random * 2 - 1)
        return max(0, raw + spread)
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
