import Foundation

/// The phone channel's figures (seed 002: «Nivel de servicio y eficacia en el canal
/// telefónico»), from the contact centre's calls. The rules, as the page will write them:
///
/// - **Nivel de servicio**: calls answered within the utility's threshold (20 s by default) over
///   the calls offered, leaving out those abandoned in under 5 s (the caller hung up before
///   anyone could answer: dialled by mistake), as contact centres measure it.
/// - **Eficacia**: calls answered over calls offered (all of them).
/// - **Velocidad media de respuesta**: the average wait of the answered calls.
/// - **Abandono**: calls abandoned after 5 s or more over the offered calls without the short
///   abandons.
///
/// Nothing to measure gives nil, never a division by zero.
public enum PhoneIndicators {
    public static let defaultThreshold: TimeInterval = 20
    public static let shortAbandon: TimeInterval = 5

    /// One call as the figures need it.
    public struct CallFact: Sendable, Equatable {
        public var line: String
        public var queue: String
        public var segment: String
        public var month: String
        public var answered: Bool
        public var waitSeconds: Int
        public var resolved: Bool

        public init(line: String, queue: String, segment: String, month: String, answered: Bool, waitSeconds: Int, resolved: Bool) {
            (self.line, self.queue, self.segment, self.month, self.answered, self.waitSeconds, self.resolved) =
                (line, queue, segment, month, answered, waitSeconds, resolved)
        }
    }

    public struct Figures: Sendable, Equatable {
        public var offered = 0
        public var answered = 0
        public var answeredInTime = 0
        public var abandoned = 0
        public var shortAbandons = 0
        public var answeredWaitSeconds = 0
        public var resolvedInCall = 0

        /// Offered calls that count for the service level and abandonment.
        public var counted: Int { offered - shortAbandons }
        public var serviceLevel: Double? { share(answeredInTime, of: counted) }
        public var efficacy: Double? { share(answered, of: offered) }
        public var abandonment: Double? { share(abandoned - shortAbandons, of: counted) }
        /// Seconds.
        public var averageSpeedOfAnswer: Double? { answered == 0 ? nil : Double(answeredWaitSeconds) / Double(answered) }
        /// Answered calls resolved in the call.
        public var firstContactResolution: Double? { share(resolvedInCall, of: answered) }

        func share(_ part: Int, of whole: Int) -> Double? { whole <= 0 ? nil : Double(part) / Double(whole) }

        mutating func add(_ call: CallFact, threshold: TimeInterval) {
            offered += 1
            if call.answered {
                answered += 1
                answeredWaitSeconds += call.waitSeconds
                if Double(call.waitSeconds) <= threshold { answeredInTime += 1 }
                if call.resolved { resolvedInCall += 1 }
            } else {
                abandoned += 1
                if Double(call.waitSeconds) < shortAbandon { shortAbandons += 1 }
            }
        }
    }

    /// The figures of all the calls given.
    public static func figures(_ calls: [CallFact], threshold: TimeInterval = defaultThreshold) -> Figures {
        var figures = Figures()
        for call in calls { figures.add(call, threshold: threshold) }
        return figures
    }

    /// The figures by a dimension of the calls (line, queue, segment, month), in key order.
    public static func figures(_ calls: [CallFact], by key: (CallFact) -> String, threshold: TimeInterval = defaultThreshold) -> [(key: String, figures: Figures)] {
        var groups: [String: Figures] = [:]
        for call in calls { groups[key(call), default: Figures()].add(call, threshold: threshold) }
        return groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
