import Foundation

/// The service indicators of seed 002 (office waiting and attention time, the chat's service
/// level and efficacy, the complaint index) and the customers' satisfaction, computed from plain
/// facts: no database here, so the arithmetic is tested with hand-computed fixtures.
///
/// Every figure carries its value (nil when there is nothing to measure: "sin datos", never a
/// division by zero) and `cases`, how many facts it stands on.
public enum Indicators {
    /// An advisor should answer a chat within this many seconds (the service level's target).
    public static let chatTarget: TimeInterval = 60

    // MARK: Facts

    /// One turn at an office, as the indicators need it.
    public struct TurnFact: Sendable, Equatable {
        public var office: String
        public var municipality: String?
        public var status: TurnStatus
        /// The booked slot's start: turns store no arrival time, so waiting counts from here.
        public var slotStart: Date?
        public var startedAt: Date?
        public var endedAt: Date?
        public var origin: TurnOrigin
        /// When a walk-in was given the turn (their wait counts from here).
        public var arrivedAt: Date?
        /// The adviser's word at the end: solved in this visit, or not; nil when not said.
        public var resolved: Bool?

        public init(office: String, municipality: String?, status: TurnStatus, slotStart: Date?, startedAt: Date?, endedAt: Date?,
                    origin: TurnOrigin = .booked, arrivedAt: Date? = nil, resolved: Bool? = nil) {
            (self.office, self.municipality, self.status, self.slotStart, self.startedAt, self.endedAt) = (office, municipality, status, slotStart, startedAt, endedAt)
            (self.origin, self.arrivedAt, self.resolved) = (origin, arrivedAt, resolved)
        }

        /// Where the wait starts: a walk-in's arrival, a booked turn's slot.
        public var waitStart: Date? { origin == .booked ? slotStart : (arrivedAt ?? slotStart) }
    }

    /// One live chat: when it was asked for, when an advisor first answered (taking a chat sends
    /// the advisor's greeting, so this is `taken_at`), how it ended.
    public struct ChatFact: Sendable, Equatable {
        public var channel: String
        public var status: LiveChatStatus
        public var requestedAt: Date
        public var answeredAt: Date?
        /// The advisor's word at closing; nil when the customer closed it.
        public var resolved: Bool?

        public init(channel: String, status: LiveChatStatus, requestedAt: Date, answeredAt: Date?, resolved: Bool?) {
            (self.channel, self.status, self.requestedAt, self.answeredAt, self.resolved) = (channel, status, requestedAt, answeredAt, resolved)
        }
    }

    /// Survey answers grouped by everything the indicators split them by (`count` of them).
    public struct SurveyFact: Sendable, Equatable {
        public var kind: String
        public var score: Int
        public var office: String?
        public var municipality: String?
        public var segment: String?
        public var count = 1

        public init(kind: String, score: Int, office: String? = nil, municipality: String? = nil, segment: String? = nil, count: Int = 1) {
            (self.kind, self.score, self.office, self.municipality, self.segment, self.count) = (kind, score, office, municipality, segment, count)
        }
    }

    /// Quejas and reclamos filed, or contracts, per municipality and segment.
    public struct PlaceCount: Sendable, Equatable {
        public var municipality: String?
        public var segment: String?
        public var count: Int

        public init(municipality: String?, segment: String?, count: Int) {
            (self.municipality, self.segment, self.count) = (municipality, segment, count)
        }
    }

    // MARK: Accumulators

    /// An average of durations, in minutes with one decimal.
    public struct Average: Sendable {
        public private(set) var seconds: Double = 0
        public private(set) var count = 0

        public mutating func add(seconds value: Double) {
            seconds += value
            count += 1
        }

        public var minutes: Double? { count == 0 ? nil : (seconds / Double(count) / 60 * 10).rounded() / 10 }
    }

    /// A share of hits, or an average of integer scores.
    public struct Tally: Sendable {
        public private(set) var hits = 0
        public private(set) var sum = 0
        public private(set) var count = 0

        public mutating func add(hit: Bool, value: Int = 0, weight: Int = 1) {
            hits += hit ? weight : 0
            sum += value * weight
            count += weight
        }

        /// Percent of hits, one decimal.
        public var percent: Double? { Indicators.ratio(hits * 100, count, decimals: 1) }
        /// Average of the values, two decimals.
        public var mean: Double? { Indicators.ratio(sum, count, decimals: 2) }
    }

    /// `numerator / denominator` rounded half up to `decimals`, in integers (no binary-fraction
    /// surprises at the half); nil when the denominator is zero.
    public static func ratio(_ numerator: Int, _ denominator: Int, decimals: Int) -> Double? {
        guard denominator > 0 else { return nil }
        let scale = Int(pow(10, Double(decimals)))
        let scaled = (2 * numerator * scale + denominator) / (2 * denominator)
        return Double(scaled) / Double(scale)
    }

    // MARK: Computing

    /// Average waiting time (a walk-in's from being given the turn, a booked turn's from its
    /// slot's start, to the start of attention; being called before the slot counts 0) and
    /// average attention time (start to end), over every turn attended, booked or not, in
    /// total, by office, by municipality and by how the turn came (booked, walk-in, preferential).
    public static func officeTimes(_ turns: [TurnFact]) -> [Figure] {
        var waits: [IndicatorDimension: Average] = [:]
        var attentions: [IndicatorDimension: Average] = [:]
        for turn in turns where turn.status == .attended {
            let dimensions = [IndicatorDimension.total, .office(turn.office), .municipality(turn.municipality ?? IndicatorDimension.noMunicipality), .origin(turn.origin.rawValue)]
            if let start = turn.startedAt, let slot = turn.waitStart {
                for dimension in dimensions { waits[dimension, default: Average()].add(seconds: max(0, start.timeIntervalSince(slot))) }
            }
            if let start = turn.startedAt, let end = turn.endedAt {
                for dimension in dimensions { attentions[dimension, default: Average()].add(seconds: max(0, end.timeIntervalSince(start))) }
            }
        }
        return withTotal(waits, .officeWait) { Figure(indicator: .officeWait, dimension: $0, value: $1.minutes, cases: $1.count) }
            + withTotal(attentions, .officeAttention) { Figure(indicator: .officeAttention, dimension: $0, value: $1.minutes, cases: $1.count) }
    }

    /// Service level: of the chats asked for (messages left out of hours are not chats), the
    /// percent an advisor answered within `target` seconds. A chat still waiting that has not
    /// yet waited `target` is undecided and left out; every other unanswered chat (abandoned,
    /// or still waiting past the target) counts as not answered in time.
    ///
    /// Efficacy: of the chats an advisor closed saying whether the need was solved, the percent
    /// solved. Chats the customer ended (no verdict) are left out.
    public static func chatFigures(_ chats: [ChatFact], now: Date, target: TimeInterval = chatTarget) -> [Figure] {
        var service: [IndicatorDimension: Tally] = [:]
        var efficacy: [IndicatorDimension: Tally] = [:]
        for chat in chats where chat.status != .message {
            let dimensions = [IndicatorDimension.total, .channel(chat.channel)]
            let inTime: Bool?
            if let answered = chat.answeredAt {
                inTime = answered.timeIntervalSince(chat.requestedAt) <= target
            } else if chat.status == .waiting, now.timeIntervalSince(chat.requestedAt) < target {
                inTime = nil
            } else {
                inTime = false
            }
            if let inTime {
                for dimension in dimensions { service[dimension, default: Tally()].add(hit: inTime) }
            }
            if chat.status == .closed, let resolved = chat.resolved {
                for dimension in dimensions { efficacy[dimension, default: Tally()].add(hit: resolved) }
            }
        }
        return withTotal(service, .chatServiceLevel) { Figure(indicator: .chatServiceLevel, dimension: $0, value: $1.percent, cases: $1.count) }
            + withTotal(efficacy, .chatEfficacy) { Figure(indicator: .chatEfficacy, dimension: $0, value: $1.percent, cases: $1.count) }
    }

    /// Quejas and reclamos filed per 10,000 contracts, two decimals: in total, and per
    /// municipality and segment against that municipality's or segment's contracts.
    public static func complaintIndex(complaints: [PlaceCount], contracts: [PlaceCount]) -> [Figure] {
        var filed: [IndicatorDimension: Int] = [:]
        var base: [IndicatorDimension: Int] = [:]
        func add(_ rows: [PlaceCount], to counts: inout [IndicatorDimension: Int]) {
            for row in rows {
                counts[.total, default: 0] += row.count
                if let municipality = row.municipality { counts[.municipality(municipality), default: 0] += row.count }
                if let segment = row.segment { counts[.segment(segment), default: 0] += row.count }
            }
        }
        add(complaints, to: &filed)
        add(contracts, to: &base)
        let dimensions = Set(filed.keys).union(base.keys).union([.total])
        return sorted(dimensions.map { dimension in
            let complaints = filed[dimension] ?? 0
            return Figure(indicator: .complaintIndex, dimension: dimension, value: ratio(complaints * 10_000, base[dimension] ?? 0, decimals: 2), cases: complaints)
        })
    }

    /// CSAT: the percent of answers scoring 4 or 5, and the average score (1–5), in total and
    /// by survey kind, office, municipality and segment (where the answer carries them).
    public static func satisfaction(_ answers: [SurveyFact]) -> [Figure] {
        var tallies: [IndicatorDimension: Tally] = [:]
        for answer in answers where (1...5).contains(answer.score) {
            var dimensions = [IndicatorDimension.total, .kind(answer.kind)]
            if let office = answer.office { dimensions.append(.office(office)) }
            if let municipality = answer.municipality { dimensions.append(.municipality(municipality)) }
            if let segment = answer.segment { dimensions.append(.segment(segment)) }
            for dimension in dimensions { tallies[dimension, default: Tally()].add(hit: answer.score >= 4, value: answer.score, weight: answer.count) }
        }
        return withTotal(tallies, .satisfaction) { Figure(indicator: .satisfaction, dimension: $0, value: $1.percent, cases: $1.count) }
            + withTotal(tallies, .satisfactionAverage) { Figure(indicator: .satisfactionAverage, dimension: $0, value: $1.mean, cases: $1.count) }
    }

    /// Contacts of a channel where it was said whether the need was solved, and how many were.
    public struct Resolution: Sendable, Equatable {
        public var channel: String
        public var resolved: Int
        public var total: Int

        public init(channel: String, resolved: Int, total: Int) {
            (self.channel, self.resolved, self.total) = (channel, resolved, total)
        }
    }

    /// First-contact resolution: contacts solved in that contact over those with a verdict, in
    /// total and by channel (`telefono`, `chat`, `oficina`, `pqr`).
    public static func firstContact(_ channels: [Resolution]) -> [Figure] {
        var tallies: [IndicatorDimension: Tally] = [:]
        for row in channels where row.total > 0 {
            for dimension in [IndicatorDimension.total, .channel(row.channel)] {
                tallies[dimension, default: Tally()].add(hit: true, weight: row.resolved)
                tallies[dimension, default: Tally()].add(hit: false, weight: row.total - row.resolved)
            }
        }
        return withTotal(tallies, .firstContactResolution) { Figure(indicator: .firstContactResolution, dimension: $0, value: $1.percent, cases: $1.count) }
    }

    /// The chats closed by an adviser with a verdict, and the attended turns the adviser ended
    /// saying whether the need was solved, as resolutions.
    public static func resolutions(chats: [ChatFact], turns: [TurnFact]) -> [Resolution] {
        let judged = chats.filter { $0.status == .closed }.compactMap(\.resolved)
        let visits = turns.filter { $0.status == .attended }.compactMap(\.resolved)
        return [Resolution(channel: "chat", resolved: judged.filter { $0 }.count, total: judged.count),
                Resolution(channel: "oficina", resolved: visits.filter { $0 }.count, total: visits.count)]
    }

    /// Where a day's turns stand at an instant.
    public struct Queue: Sendable, Equatable {
        /// Booked, their time come, not yet called.
        public var waiting = 0
        /// Booked for later in the day.
        public var later = 0
        /// Called, or being attended.
        public var inAttention = 0
        public var attended = 0
        public var absent = 0

        public init(waiting: Int = 0, later: Int = 0, inAttention: Int = 0, attended: Int = 0, absent: Int = 0) {
            (self.waiting, self.later, self.inAttention, self.attended, self.absent) = (waiting, later, inAttention, attended, absent)
        }
    }

    /// Today's queue at `now`, in total and by office (cancelled turns are not in it).
    public static func queue(_ turns: [TurnFact], now: Date) -> [IndicatorDimension: Queue] {
        var queues: [IndicatorDimension: Queue] = [.total: Queue()]
        for turn in turns {
            let keyPath: WritableKeyPath<Queue, Int>
            switch turn.status {
            case .reserved: keyPath = (turn.slotStart.map { $0 <= now } ?? true) ? \.waiting : \.later
            case .called, .inAttention: keyPath = \.inAttention
            case .attended: keyPath = \.attended
            case .absent: keyPath = \.absent
            case .cancelled: continue
            }
            queues[.total, default: Queue()][keyPath: keyPath] += 1
            queues[.office(turn.office), default: Queue()][keyPath: keyPath] += 1
        }
        return queues
    }

    /// The figures of each dimension, with a total ("sin datos") even when nothing was measured.
    private static func withTotal<T>(_ values: [IndicatorDimension: T], _ indicator: Indicator, _ figure: (IndicatorDimension, T) -> Figure) -> [Figure] {
        var figures = values.map { figure($0.key, $0.value) }
        if values[.total] == nil { figures.append(Figure(indicator: indicator, dimension: .total, value: nil, cases: 0)) }
        return sorted(figures)
    }

    /// Total first, then by dimension kind, then by label (Spanish order).
    public static func sorted(_ figures: [Figure]) -> [Figure] {
        figures.sorted { a, b in
            if a.indicator != b.indicator { return Indicator.allCases.firstIndex(of: a.indicator)! < Indicator.allCases.firstIndex(of: b.indicator)! }
            if a.dimension.kind != b.dimension.kind { return a.dimension.kind < b.dimension.kind }
            return a.dimension.label.compare(b.dimension.label, locale: Locale(identifier: "es_CO")) == .orderedAscending
        }
    }
}
