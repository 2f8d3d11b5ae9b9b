/// A configuration value that must never reach a log line: it prints as a mask.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "••••••" }
    public var debugDescription: String { "••••••" }
}
