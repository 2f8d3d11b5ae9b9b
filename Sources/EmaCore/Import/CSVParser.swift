/// One record of a CSV file, with the editor line where it starts (the header is line 1).
public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    public var line: Int
    /// Set when the record is not well-formed RFC 4180 or not UTF-8.
    public var problem: CSVRecordProblem?

    public init(fields: [String], line: Int, problem: CSVRecordProblem? = nil) {
        self.fields = fields
        self.line = line
        self.problem = problem
    }
}

/// Why a record is not well-formed.
public enum CSVRecordProblem: Sendable, Equatable {
    case unterminatedQuote
    case quoteInUnquotedField
    case textAfterClosingQuote
    case invalidUTF8

    /// The explanation an operator reads.
    public var message: String {
        switch self {
        case .unterminatedQuote:
            "unas comillas se abren en esta línea y no se cierran antes del final del archivo"
        case .quoteInUnquotedField:
            "hay comillas dentro de un campo que no está entre comillas; encierre el campo entre comillas y duplique las internas (\"\")"
        case .textAfterClosingQuote:
            "hay texto después de las comillas que cierran un campo; falta el separador (coma o punto y coma) o sobran comillas"
        case .invalidUTF8:
            "el texto no está en UTF-8; guarde el archivo como «CSV UTF-8»"
        }
    }
}

/// A streaming RFC 4180 parser: feed it bytes in chunks of any size, it hands out whole records.
///
/// Accepts a UTF-8 byte-order mark, LF, CRLF and lone CR line ends, quoted fields with embedded
/// separators, quotes (`""`) and line breaks. Blank lines are skipped. Memory holds one record at
/// a time. The separator is `,` or `;` (Excel in Spanish saves «CSV» with `;`, since the comma
/// is its decimal mark): the first of the two met outside quotes on the first line decides, and
/// from then on the other is ordinary text.
public struct CSVParser {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var problem: CSVRecordProblem?
    private var sawQuotedField = false
    private var line = 1
    private var recordLine = 1
    private var lastWasCR = false
    private var prefix: [UInt8] = []
    private var checkedBOM = false
    /// `,` or `;`; decided on the first line unless given.
    public private(set) var separator: UInt8 = 0x2C
    private var separatorKnown = false

    /// `separator`: `,` or `;` to insist on one; nil to take the header's.
    public init(separator: UInt8? = nil) {
        field.reserveCapacity(64)
        if let separator {
            self.separator = separator
            separatorKnown = true
        }
    }

    /// Whether `byte` ends a field here (deciding the separator on the first line).
    private mutating func isSeparator(_ byte: UInt8) -> Bool {
        if separatorKnown { return byte == separator }
        guard byte == 0x2C || byte == 0x3B else { return false }
        separator = byte
        separatorKnown = true
        return true
    }

    /// Feeds the next chunk of the file.
    public mutating func feed(_ bytes: some Sequence<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        if !checkedBOM {
            prefix.append(contentsOf: bytes)
            guard prefix.count >= 3 else { return }
            let start = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            let pending = prefix[start...]
            prefix = []
            checkedBOM = true
            try consume(pending, emit)
            return
        }
        try consume(bytes, emit)
    }

    /// Signals the end of the file and hands out the last record, if any.
    public mutating func finish(_ emit: (CSVRecord) throws -> Void) rethrows {
        if !checkedBOM {
            checkedBOM = true
            let start = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            let pending = prefix[start...]
            prefix = []
            try consume(pending, emit)
        }
        if state == .quoted { problem = problem ?? .unterminatedQuote }
        if state != .fieldStart || !fields.isEmpty || !field.isEmpty {
            try endRecord(emit)
        }
    }

    private mutating func consume(_ bytes: some Sequence<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                // CRLF: the LF was already counted with the CR.
                if byte == 0x0A {
                    if state == .quoted { field.append(byte) }
                    continue
                }
            }
            switch state {
            case .quoted:
                if byte == 0x22 {
                    state = .quoteInQuoted
                } else {
                    if byte == 0x0A { line += 1 }
                    if byte == 0x0D { line += 1; field.append(byte); lastWasCR = true; continue }
                    field.append(byte)
                }
            case .quoteInQuoted:
                if byte == 0x22 {
                    field.append(0x22)
                    state = .quoted
                } else if isSeparator(byte) {
                    endField()
                } else if byte == 0x0A || byte == 0x0D {
                    try endLine(byte, emit)
                } else {
                    problem = problem ?? .textAfterClosingQuote
                    field.append(byte)
                    state = .unquoted
                }
            case .fieldStart, .unquoted:
                if isSeparator(byte) {
                    endField()
                    continue
                }
                switch byte {
                case 0x0A, 0x0D:
                    try endLine(byte, emit)
                case 0x22 where state == .fieldStart:
                    state = .quoted
                    sawQuotedField = true
                case 0x22:
                    problem = problem ?? .quoteInUnquotedField
                    field.append(byte)
                default:
                    field.append(byte)
                    state = .unquoted
                }
            }
        }
    }

    private mutating func endField() {
        if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            problem = problem ?? .invalidUTF8
            fields.append(String(decoding: field, as: UTF8.self))
        }
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endLine(_ byte: UInt8, _ emit: (CSVRecord) throws -> Void) rethrows {
        // A first line without either: one column, and the comma stays the separator.
        separatorKnown = true
        try endRecord(emit)
        line += 1
        recordLine = line
        lastWasCR = byte == 0x0D
    }

    private mutating func endRecord(_ emit: (CSVRecord) throws -> Void) rethrows {
        endField()
        let isBlank = fields.count == 1 && fields[0].isEmpty && !sawQuotedField && problem == nil
        if !isBlank {
            try emit(CSVRecord(fields: fields, line: recordLine, problem: problem))
        }
        fields.removeAll(keepingCapacity: true)
        problem = nil
        sawQuotedField = false
        state = .fieldStart
    }
}
