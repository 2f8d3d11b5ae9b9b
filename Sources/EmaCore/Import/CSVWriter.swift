/// Writes CSV for people who open it in a spreadsheet (RFC 4180 quoting): a field that starts
/// like a formula (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so the
/// spreadsheet shows it as text instead of running it (OWASP's CSV injection advice); a field
/// with a comma, a quote or a line break is quoted.
public enum CSVWriter {
    public static func field(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record, ended by `terminator`.
    public static func line(_ fields: [String], terminator: String = "\r\n") -> String {
        fields.map(field).joined(separator: ",") + terminator
    }
}
