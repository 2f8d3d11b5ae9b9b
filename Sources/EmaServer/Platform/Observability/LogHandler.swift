import Foundation
import Logging

/// Structured log lines on standard error: JSON (one object a line, for collectors) or text
/// (for a person at a terminal). Metadata are fields, never interpolated into the message.
/// Callers log masked values (`Masking`) and never secrets. Two guards stand behind them: query
/// parameters (`binds`) are never written, and nothing below `debug` is written at all, because at
/// `trace` the HTTP server and the database drivers dump raw requests, headers included.
public struct EmaLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level {
        get { level }
        set { level = max(newValue, .debug) }
    }
    private var level: Logger.Level
    let label: String
    let format: AppConfig.LogFormat
    let sink: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, format: AppConfig.LogFormat, sink: @escaping @Sendable (String) -> Void = EmaLogHandler.standardError) {
        self.label = label
        self.level = max(level, .debug)
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged["error"] = .string(String(describing: error)) }
        // Database query logs carry values (binds, filters, inputs) that are personal data: only the
        // statement's shape is kept.
        if merged["database-id"] != nil {
            merged = merged.filter { Self.queryLogKeys.contains($0.key) }
        }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        switch format {
        case .json:
            var object: [String: Any] = [
                "ts": time, "level": level.rawValue, "logger": label, "msg": message.description,
            ]
            for (key, value) in merged { object[key] = Self.plain(value) }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
               let line = String(data: data, encoding: .utf8) {
                sink(line + "\n")
            }
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted($0.value.description))" }
            let tail = fields.isEmpty ? "" : " " + fields.joined(separator: " ")
            sink("\(time) \(level.rawValue.uppercased()) [\(label)] \(message)\(tail)\n")
        }
    }

    static let queryLogKeys: Set<String> = ["database-id", "action", "schema", "sql", "error", "request-id"]

    static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
