/// What is wrong with one field (or a whole line) of an imported file.
public struct FieldProblem: Sendable, Equatable, CustomStringConvertible {
    /// Editor line number; the header is line 1.
    public let line: Int
    /// Column name, or nil when the problem concerns the whole line.
    public let column: String?
    public let message: String

    public init(line: Int, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { "línea \(line), columna \(column): \(message)" } else { "línea \(line): \(message)" }
    }
}
