import Foundation
import NIOConcurrencyHelpers

/// Request counts and latency per route, kept in memory and written in the Prometheus text
/// format. Routes are the registered patterns (`/api/v1/admin/contracts/:number`), never raw
/// paths, so the label set stays small and holds no personal data.
public final class HTTPMetrics: Sendable {
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct RequestKey: Hashable { let method: String; let route: String; let status: UInt }
    struct Histogram {
        var counts = [UInt64](repeating: 0, count: HTTPMetrics.buckets.count)
        var sum = 0.0
        var count: UInt64 = 0
    }
    struct State {
        var requests: [RequestKey: UInt64] = [:]
        var latency: [String: Histogram] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func record(method: String, route: String, status: UInt, seconds: Double) {
        state.withLockedValue { state in
            state.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            var histogram = state.latency[route] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound {
                histogram.counts[index] += 1
            }
            histogram.sum += seconds
            histogram.count += 1
            state.latency[route] = histogram
        }
    }

    /// How many requests were recorded for a route and status (for tests and the back office).
    public func count(route: String, status: UInt) -> UInt64 {
        state.withLockedValue { state in
            state.requests.filter { $0.key.route == route && $0.key.status == status }.values.reduce(0, +)
        }
    }

    /// The Prometheus text exposition of these metrics.
    public func render(into text: inout String) {
        let snapshot = state.withLockedValue { $0 }
        text += "# HELP ema_http_requests_total HTTP requests answered, by method, route and status.\n"
        text += "# TYPE ema_http_requests_total counter\n"
        for (key, value) in snapshot.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            text += "ema_http_requests_total{method=\"\(key.method)\",route=\"\(Prometheus.escape(key.route))\",status=\"\(key.status)\"} \(value)\n"
        }
        text += "# HELP ema_http_request_duration_seconds Time to answer an HTTP request, by route.\n"
        text += "# TYPE ema_http_request_duration_seconds histogram\n"
        for (route, histogram) in snapshot.latency.sorted(by: { $0.key < $1.key }) {
            let label = Prometheus.escape(route)
            for (index, bound) in Self.buckets.enumerated() {
                text += "ema_http_request_duration_seconds_bucket{route=\"\(label)\",le=\"\(Prometheus.number(bound))\"} \(histogram.counts[index])\n"
            }
            text += "ema_http_request_duration_seconds_bucket{route=\"\(label)\",le=\"+Inf\"} \(histogram.count)\n"
            text += "ema_http_request_duration_seconds_sum{route=\"\(label)\"} \(Prometheus.number(histogram.sum))\n"
            text += "ema_http_request_duration_seconds_count{route=\"\(label)\"} \(histogram.count)\n"
        }
    }
}

/// Helpers for the Prometheus text format.
enum Prometheus {
    static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func gauge(_ name: String, help: String, _ samples: [(labels: String, value: Double)], into text: inout String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        for sample in samples {
            text += sample.labels.isEmpty ? "\(name) \(number(sample.value))\n" : "\(name){\(sample.labels)} \(number(sample.value))\n"
        }
    }
}
