import EmaCore
import Foundation
import Vapor

/// This node's copy of the public month figures, kept `lifetime` seconds (by the application's
/// clock) so a busy statistics page does not recount a month on every visit; the month in course
/// is never older than that. At most `capacity` months are kept (the least recently computed
/// leave first). A lifetime of 0 keeps nothing.
actor IndicatorCache {
    let lifetime: TimeInterval
    let capacity: Int
    private var entries: [BillingPeriod: IndicatorService.MonthFigures] = [:]

    static let defaultLifetime: TimeInterval = 300

    init(lifetime: TimeInterval = IndicatorCache.defaultLifetime, capacity: Int = 36) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func figures(_ month: BillingPeriod, now: Date, compute: @Sendable (BillingPeriod) async throws -> IndicatorService.MonthFigures) async throws -> IndicatorService.MonthFigures {
        if let kept = entries[month], now.timeIntervalSince(kept.computedAt) < lifetime, kept.computedAt <= now {
            return kept
        }
        let fresh = try await compute(month)
        guard lifetime > 0 else { return fresh }
        entries[month] = fresh
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.computedAt < $1.value.computedAt })?.key {
            entries[oldest] = nil
        }
        return fresh
    }
}

extension Application {
    private struct IndicatorCacheKey: StorageKey { typealias Value = IndicatorCache }

    /// The month figures of the public page, kept `EMA_INDICATORS_CACHE_SECONDS`; tests may set
    /// one with another lifetime.
    var indicatorCache: IndicatorCache {
        get {
            if let cache = storage[IndicatorCacheKey.self] { return cache }
            let cache = IndicatorCache(lifetime: TimeInterval(emaConfig.indicatorCacheSeconds))
            storage[IndicatorCacheKey.self] = cache
            return cache
        }
        set { storage[IndicatorCacheKey.self] = newValue }
    }

    /// A month's figures through this node's cache.
    func cachedIndicators(_ month: BillingPeriod) async throws -> IndicatorService.MonthFigures {
        let service = indicatorService()
        return try await indicatorCache.figures(month, now: clock.now()) { try await service.month($0) }
    }
}
