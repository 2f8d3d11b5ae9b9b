/// The columns a CSV format expects, matched by name in any order.
public struct CSVHeader: Sendable {
    public let columnIndex: [String: Int]
    public let fieldCount: Int
    /// Columns present in the file that the format does not use.
    public let ignoredColumns: [String]

    /// Reads the header record; names every missing or repeated column.
    public init(_ record: CSVRecord, required: [String], optional: [String]) throws(ImportProblems) {
        var problems: [FieldProblem] = []
        if let problem = record.problem {
            problems.append(FieldProblem(line: record.line, column: nil, message: problem.message))
        }
        var index: [String: Int] = [:]
        var ignored: [String] = []
        let known = Set(required + optional)
        for (position, raw) in record.fields.enumerated() {
            let name = raw.trimmingASCIISpaces().lowercased()
            if index[name] != nil {
                problems.append(FieldProblem(line: record.line, column: name, message: "la columna aparece dos veces en el encabezado"))
            } else if known.contains(name) {
                index[name] = position
            } else {
                ignored.append(name)
            }
        }
        for name in required where index[name] == nil {
            problems.append(FieldProblem(
                line: record.line, column: name,
                message: "falta la columna obligatoria; el encabezado debe tener: \(required.joined(separator: ","))"
            ))
        }
        guard problems.isEmpty else { throw ImportProblems(problems) }
        self.columnIndex = index
        self.fieldCount = record.fields.count
        self.ignoredColumns = ignored
    }
}

/// A list of problems found in a file.
public struct ImportProblems: Error, Sendable, Equatable {
    public let problems: [FieldProblem]
    public init(_ problems: [FieldProblem]) { self.problems = problems }
}

extension StringProtocol {
    /// Trims spaces and tabs at both ends (the cheap, common case of CSV padding).
    func trimmingASCIISpaces() -> String {
        let text = String(self)
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        if first == utf8.startIndex, utf8.index(after: last) == utf8.endIndex { return text }
        return String(text[first...last])
    }
}
