import CoreMetrics
import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// Ema's metrics, recorded through swift-metrics (`Counter`, `Timer`, `Gauge`) into this node's
/// own Prometheus registry (swift-prometheus), which `GET /metrics` writes in the Prometheus text
/// format. Each application has its registry and factory, passed explicitly to every metric
/// (tests run many applications in one process, and `MetricsSystem.bootstrap` is once per
/// process; Vapor's own route metrics, which a global bootstrap would add, would only repeat
/// `ema_http_*`). Routes are the registered patterns (`/api/v1/admin/contracts/:number`),
/// never raw paths, so the label sets stay small and hold no personal data.
public final class HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    /// The request metrics already made, by method, route and status: every request would
    /// otherwise ask the registry again (its lock, its label strings).
    private let requestMetrics = NIOLockedValueBox<[RequestKey: (count: CoreMetrics.Counter, latency: CoreMetrics.Timer)]>([:])

    struct RequestKey: Hashable { let method: String; let route: String; let status: UInt }

    /// Timers and counters by name and labels, made once (the same reason).
    private let timers = NIOLockedValueBox<[String: CoreMetrics.Timer]>([:])
    private let counters = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])

    static func key(_ name: String, _ dimensions: [(String, String)]) -> String {
        dimensions.reduce(name) { $0 + "|" + $1.0 + "=" + $1.1 }
    }

    /// Seconds, for every latency histogram.
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Seconds, for the outboxes' lag (queued → sent), which runs to minutes under a pace.
    public static let lagBuckets: [Double] = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3_600]

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.buckets.map { .nanoseconds(Int64($0 * 1e9)) }
        factory.durationHistogramBuckets = ["ema_outbox_lag_seconds": Self.lagBuckets.map { .nanoseconds(Int64($0 * 1e9)) }]
        self.factory = factory
    }

    // MARK: Recording

    public func record(method: String, route: String, status: UInt, seconds: Double) {
        let key = RequestKey(method: method, route: route, status: status)
        let metrics = requestMetrics.withLockedValue { made in
            if let known = made[key] { return known }
            let new = (CoreMetrics.Counter(label: "ema_http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory),
                       timer("ema_http_request_duration_seconds", [("route", route)]))
            made[key] = new
            return new
        }
        metrics.count.increment()
        metrics.latency.recordSeconds(seconds)
    }

    /// A conversation turn with Ema, from the customer's message to her replies committed.
    public func turn(channel: String, seconds: Double) {
        timer("ema_turn_duration_seconds", [("channel", channel)]).recordSeconds(seconds)
    }

    /// A webhook answered to its provider (Meta waits for the 200).
    public func webhookAcknowledged(provider: String, seconds: Double) {
        timer("ema_webhook_ack_seconds", [("provider", provider)]).recordSeconds(seconds)
    }

    /// A message left an outbox: its lag from queued to sent, and the sent count (whose rate is
    /// the sender's pace).
    public func sent(outbox: String, lagSeconds: Double) {
        timer("ema_outbox_lag_seconds", [("outbox", outbox)]).recordSeconds(max(0, lagSeconds))
        let dimensions = [("outbox", outbox)]
        counters.withLockedValue { made in
            if let known = made[Self.key("ema_outbox_sent_total", dimensions)] { return known }
            let new = CoreMetrics.Counter(label: "ema_outbox_sent_total", dimensions: dimensions, factory: factory)
            made[Self.key("ema_outbox_sent_total", dimensions)] = new
            return new
        }.increment()
    }

    /// A value read at scrape time (queue depths, the database's state, memory).
    public func gauge(_ name: String, _ dimensions: [(String, String)] = [], _ value: Double) {
        Gauge(label: name, dimensions: dimensions, factory: factory).record(value)
    }

    private func timer(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        let key = Self.key(name, dimensions)
        return timers.withLockedValue { made in
            if let known = made[key] { return known }
            let new = CoreMetrics.Timer(label: name, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
            made[key] = new
            return new
        }
    }

    /// The Prometheus text exposition of everything recorded.
    public func render() -> String {
        registry.emitToString()
    }
}

extension Duration {
    /// The duration in seconds, for the metrics' timers.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
