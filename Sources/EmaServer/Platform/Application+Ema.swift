import Vapor

/// Ema's shared services, reachable from any request (`req.application`) or command.
extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }
    private struct ClockKey: StorageKey { typealias Value = AppClock }
    private struct MetricsKey: StorageKey { typealias Value = HTTPMetrics }

    /// The configuration `configure` was called with.
    public var emaConfig: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:config:) was not called") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }

    /// The application's time source; tests replace it with a manual clock.
    public var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }

    public var httpMetrics: HTTPMetrics {
        if let metrics = storage[MetricsKey.self] { return metrics }
        let metrics = HTTPMetrics()
        storage[MetricsKey.self] = metrics
        return metrics
    }
}
