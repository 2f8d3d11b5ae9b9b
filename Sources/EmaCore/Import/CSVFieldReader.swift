import Foundation

/// Reads the fields of one record by column name and collects every problem found.
public struct CSVFieldReader {
    public let record: CSVRecord
    let header: CSVHeader
    public private(set) var problems: [FieldProblem] = []
    /// False when the record could not be split into the header's columns.
    public let isWellFormed: Bool

    /// Checks the record's shape (quoting, UTF-8, field count) before any field is read.
    public init(record: CSVRecord, header: CSVHeader) {
        self.record = record
        self.header = header
        if let problem = record.problem {
            problems.append(FieldProblem(line: record.line, column: nil, message: problem.message))
        } else if record.fields.count != header.fieldCount {
            problems.append(FieldProblem(
                line: record.line, column: nil,
                message: "la línea tiene \(record.fields.count) campos y el encabezado \(header.fieldCount); revise las comas y las comillas"
            ))
        }
        isWellFormed = problems.isEmpty
    }

    /// The trimmed text of a column ("" when the column is absent or the line is malformed).
    public func text(_ column: String) -> String {
        guard isWellFormed, let index = header.columnIndex[column], index < record.fields.count else { return "" }
        return Self.normalized(record.fields[index].trimmingASCIISpaces())
    }

    public mutating func fail(_ column: String, _ message: String) {
        problems.append(FieldProblem(line: record.line, column: column, message: message))
    }

    /// A required free-text column: not empty, at most `maxLength` characters.
    public mutating func requiredText(_ column: String, maxLength: Int) -> String {
        let value = text(column)
        guard isWellFormed else { return value }
        if value.isEmpty {
            fail(column, "está vacío y es obligatorio")
        } else if value.count > maxLength {
            fail(column, "es demasiado largo (máximo \(maxLength) caracteres)")
        }
        return value
    }

    /// A value from a closed list, matched without regard to case or accents.
    public mutating func choice<T: RawRepresentable & CaseIterable>(
        _ column: String, as type: T.Type, what: String, default fallback: T? = nil
    ) -> T? where T.RawValue == String {
        let value = text(column)
        guard isWellFormed else { return nil }
        if value.isEmpty, let fallback { return fallback }
        if let match = T(rawValue: Self.folded(value)) { return match }
        let options = T.allCases.map(\.rawValue)
        let list = options.dropLast().joined(separator: ", ") + " o " + options.last!
        fail(column, value.isEmpty ? "está vacío; use \(list)" : "«\(Self.echo(value))» no es \(what) válido; use \(list)")
        return nil
    }

    /// Shortens a value for an error message.
    public static func echo(_ value: String) -> String {
        value.count > 30 ? String(value.prefix(30)) + "…" : value
    }

    /// Lowercase without accents: "Energía" → "energia".
    public static func folded(_ value: String) -> String {
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return value.lowercased() }
        return value.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Canonical (NFC) form of non-ASCII text, so the same name is stored the same way.
    static func normalized(_ value: String) -> String {
        value.utf8.allSatisfy({ $0 < 0x80 }) ? value : value.precomposedStringWithCanonicalMapping
    }
}
