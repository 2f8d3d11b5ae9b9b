import Foundation

/// Counts attempts per key in fixed windows and says when a key has had too many. Used for
/// whatever can be guessed (tokens, codes). In memory: per node, which is enough to make
/// guessing impractical; limits that must hold across nodes live in the database.
public actor RateLimiter {
    public struct Rule: Sendable {
        public var limit: Int
        public var window: TimeInterval
        public init(limit: Int, window: TimeInterval) {
            self.limit = limit
            self.window = window
        }
    }

    private struct Bucket { var start: Date; var count: Int }
    private var buckets: [String: Bucket] = [:]
    private let rule: Rule

    public init(_ rule: Rule) {
        self.rule = rule
    }

    /// Seconds until the key may try again, or nil when it may try now.
    public func retryAfter(_ key: String, now: Date) -> Int? {
        guard let bucket = buckets[key], now.timeIntervalSince(bucket.start) < rule.window, bucket.count >= rule.limit else { return nil }
        return max(1, Int((rule.window - now.timeIntervalSince(bucket.start)).rounded(.up)))
    }

    /// Counts one (failed) attempt.
    public func record(_ key: String, now: Date) {
        if var bucket = buckets[key], now.timeIntervalSince(bucket.start) < rule.window {
            bucket.count += 1
            buckets[key] = bucket
        } else {
            buckets[key] = Bucket(start: now, count: 1)
        }
        if buckets.count > 10_000 {
            buckets = buckets.filter { now.timeIntervalSince($0.value.start) < rule.window }
        }
    }
}
