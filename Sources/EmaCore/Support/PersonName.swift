/// A person's full name as typed in a chat or a form: at least two words, letters (and the
/// apostrophes, hyphens and dots of names), spaces collapsed.
public enum PersonName {
    /// The cleaned name, or nil when it is not a full name.
    public static func clean(_ text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let name = words.joined(separator: " ")
        guard words.count >= 2, (5...80).contains(name.count),
              name.allSatisfy({ $0.isLetter || $0 == " " || $0 == "'" || $0 == "-" || $0 == "." })
        else { return nil }
        return name
    }
}
