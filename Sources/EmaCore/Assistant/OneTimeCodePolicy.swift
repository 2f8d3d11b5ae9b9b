import Foundation

/// The rules of the SMS verification code (issue: enrollment step 6): 6 digits, valid 10
/// minutes, 5 wrong tries kill it, a new one only after 60 s, at most 5 per number per hour.
/// Pure rules: storage, hashing and sending live in the server.
public struct OneTimeCodePolicy: Sendable, Equatable {
    public var digits = 6
    public var validity: TimeInterval = 600
    public var maxAttempts = 5
    public var resendAfter: TimeInterval = 60
    public var maxCodesPerHour = 5

    public init() {}

    /// A code of `digits` decimal digits from the given generator (the server passes a CSPRNG).
    public func generate(using generator: inout some RandomNumberGenerator) -> String {
        var upper = 1
        for _ in 0..<digits { upper *= 10 }
        let value = Int.random(in: 0..<upper, using: &generator)
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// Whether a new code may be sent now, given when the earlier codes for this number were sent.
    public func mayIssue(previous issuedAt: [Date], now: Date) -> IssueDecision {
        let lastHour = issuedAt.filter { now.timeIntervalSince($0) < 3_600 }.sorted()
        if let last = lastHour.last, now.timeIntervalSince(last) < resendAfter {
            return .wait(seconds: Int((resendAfter - now.timeIntervalSince(last)).rounded(.up)))
        }
        if lastHour.count >= maxCodesPerHour, let oldest = lastHour.first {
            return .hourlyLimit(retryAfterSeconds: Int((3_600 - now.timeIntervalSince(oldest)).rounded(.up)))
        }
        return .allowed
    }

    /// Judges an entered code against the stored state. `matches` is the constant-time
    /// comparison of the entered code's hash with the stored hash, done by the caller.
    public func check(_ state: OneTimeCodeState, matches: Bool, now: Date) -> (CheckResult, OneTimeCodeState) {
        var next = state
        if state.consumed { return (.used, state) }
        if state.attempts >= maxAttempts { return (.exhausted, state) }
        if now >= state.issuedAt.addingTimeInterval(validity) { return (.expired, state) }
        if matches {
            next.consumed = true
            return (.accepted, next)
        }
        next.attempts += 1
        let remaining = maxAttempts - next.attempts
        return (remaining > 0 ? .wrong(remaining: remaining) : .exhausted, next)
    }

    public enum IssueDecision: Sendable, Equatable {
        case allowed
        /// The last code is too recent.
        case wait(seconds: Int)
        /// Too many codes for this number in the last hour.
        case hourlyLimit(retryAfterSeconds: Int)
    }

    public enum CheckResult: Sendable, Equatable {
        case accepted
        case wrong(remaining: Int)
        case expired
        case exhausted
        /// The code already verified the number once.
        case used
        /// No code was sent to this number.
        case missing
    }
}

extension OneTimeCodePolicy.CheckResult {
    /// What the person is told when the code did not pass (nil when it did), in the chat and on
    /// the web alike.
    public var problem: String? {
        switch self {
        case .accepted: nil
        case .wrong(let remaining): "Ese código no coincide. Revísalo e inténtalo de nuevo; te \(remaining == 1 ? "queda 1 intento" : "quedan \(remaining) intentos")."
        case .exhausted: "Ese código ya no sirve porque se superaron los intentos permitidos. Pide uno nuevo."
        case .expired: "Ese código ya venció (dura 10 minutos). Pide uno nuevo."
        case .used: "Ese código ya se usó. Si necesitas verificar tu número otra vez, pide un código nuevo."
        case .missing: "No encuentro un código vigente para ese número pedido desde aquí (quizá lo pediste desde otra conexión). Pide uno nuevo."
        }
    }
}

/// What is kept of an issued code (the code itself only as a hash, elsewhere).
public struct OneTimeCodeState: Sendable, Equatable, Codable {
    public var issuedAt: Date
    public var attempts: Int
    public var consumed: Bool

    public init(issuedAt: Date, attempts: Int = 0, consumed: Bool = false) {
        self.issuedAt = issuedAt
        self.attempts = attempts
        self.consumed = consumed
    }
}
