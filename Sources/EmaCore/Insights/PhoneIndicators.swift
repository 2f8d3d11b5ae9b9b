import Foundation

/// The phone channel's figures (seed 002: «Nivel de servicio y eficacia en el canal
/// telefónico»), from the contact centre's calls. The rules, as the page writes them:
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

        /// This call as a group of one, judged against `threshold`.
        public func group(threshold: TimeInterval) -> CallGroup {
            CallGroup(line: line, queue: queue, segment: segment, answered: answered,
                      inTime: answered && Double(waitSeconds) <= threshold,
                      shortAbandon: !answered && Double(waitSeconds) < PhoneIndicators.shortAbandon,
                      resolved: answered && resolved, count: 1, waitSeconds: waitSeconds)
        }
    }

    /// Calls alike in everything the figures look at, counted (what the database hands over for
    /// a month of a million calls: a few hundred groups, not a million rows).
    public struct CallGroup: Sendable, Equatable {
        public var line: String
        public var queue: String
        public var segment: String
        public var answered: Bool
        /// Answered within the threshold.
        public var inTime: Bool
        /// Abandoned in under 5 s.
        public var shortAbandon: Bool
        /// Answered and resolved in the call.
        public var resolved: Bool
        public var count: Int
        /// The waits of the group's calls, added.
        public var waitSeconds: Int

        public init(line: String, queue: String, segment: String, answered: Bool, inTime: Bool, shortAbandon: Bool, resolved: Bool, count: Int, waitSeconds: Int) {
            (self.line, self.queue, self.segment, self.answered, self.inTime, self.shortAbandon, self.resolved, self.count, self.waitSeconds) =
                (line, queue, segment, answered, inTime, shortAbandon, resolved, count, waitSeconds)
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

        mutating func add(_ group: CallGroup) {
            offered += group.count
            if group.answered {
                answered += group.count
                answeredWaitSeconds += group.waitSeconds
                if group.inTime { answeredInTime += group.count }
                if group.resolved { resolvedInCall += group.count }
            } else {
                abandoned += group.count
                if group.shortAbandon { shortAbandons += group.count }
            }
        }
    }

    /// The figures of all the calls given.
    public static func figures(_ calls: [CallFact], threshold: TimeInterval = defaultThreshold) -> Figures {
        var figures = Figures()
        for call in calls { figures.add(call.group(threshold: threshold)) }
        return figures
    }

    /// The figures by a dimension of the calls (line, queue, segment, month), in key order.
    public static func figures(_ calls: [CallFact], by key: (CallFact) -> String, threshold: TimeInterval = defaultThreshold) -> [(key: String, figures: Figures)] {
        var groups: [String: Figures] = [:]
        for call in calls { groups[key(call), default: Figures()].add(call.group(threshold: threshold)) }
        return groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The month's indicators (service level, efficacy, speed of answer, abandonment) in total
    /// and by line, queue and segment. `lineNames` gives a line's name as customers know it.
    public static func indicators(_ groups: [CallGroup], lineNames: [String: String] = [:]) -> [Figure] {
        var tallies: [IndicatorDimension: Figures] = [.total: Figures()]
        for group in groups {
            for dimension in [IndicatorDimension.total, .line(group.line, name: lineNames[group.line] ?? group.line), .queue(group.queue), .segment(group.segment)] {
                tallies[dimension, default: Figures()].add(group)
            }
        }
        var figures: [Figure] = []
        for (dimension, tally) in tallies {
            figures += [
                Figure(indicator: .phoneServiceLevel, dimension: dimension, value: Indicators.ratio(tally.answeredInTime * 100, tally.counted, decimals: 1), cases: tally.counted),
                Figure(indicator: .phoneEfficacy, dimension: dimension, value: Indicators.ratio(tally.answered * 100, tally.offered, decimals: 1), cases: tally.offered),
                Figure(indicator: .phoneSpeedOfAnswer, dimension: dimension, value: Indicators.ratio(tally.answeredWaitSeconds, tally.answered, decimals: 1), cases: tally.answered),
                Figure(indicator: .phoneAbandonment, dimension: dimension, value: Indicators.ratio((tally.abandoned - tally.shortAbandons) * 100, tally.counted, decimals: 1), cases: tally.counted),
            ]
        }
        return Indicators.sorted(figures)
    }

    /// Calls answered, and of them resolved in the call: the phone's share of first-contact
    /// resolution.
    public static func resolution(_ groups: [CallGroup]) -> (resolved: Int, answered: Int) {
        var figures = Figures()
        for group in groups { figures.add(group) }
        return (figures.resolvedInCall, figures.answered)
    }
}
