/// A CSV file format: its columns and how one record becomes a row.
public protocol CSVRowFormat {
    associatedtype Row: Sendable
    static var requiredColumns: [String] { get }
    static var optionalColumns: [String] { get }
    /// Reads one row, or records its problems in `reader`.
    static func read(_ reader: inout CSVFieldReader) -> Row?
    /// The column that must be unique within a file and identifies the row in the database.
    static var keyColumn: String { get }
    static func key(of row: Row) -> String
}

extension CSVRowFormat {
    public static var optionalColumns: [String] { [] }

    /// Reads a record against a header: the row, or every problem of the line.
    public static func parse(_ record: CSVRecord, header: CSVHeader) -> Result<Row, ImportProblems> {
        var reader = CSVFieldReader(record: record, header: header)
        let row = reader.isWellFormed ? read(&reader) : nil
        if let row, reader.problems.isEmpty { return .success(row) }
        return .failure(ImportProblems(reader.problems))
    }

    public static func header(_ record: CSVRecord) throws(ImportProblems) -> CSVHeader {
        try CSVHeader(record, required: requiredColumns, optional: optionalColumns)
    }
}
