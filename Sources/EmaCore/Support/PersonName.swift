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

    /// Whether `typed` names the holder `full`: two or more of its words, each a word of the
    /// holder's name (accents and case aside) — «maria restrepo» for «María Fernanda Restrepo
    /// Gómez»; a stranger who sees only the masked name cannot guess it.
    public static func matches(_ typed: String, holder full: String) -> Bool {
        func words(_ text: String) -> [String] {
            text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
                .split { !$0.isLetter }.map(String.init).filter { $0.count > 1 }
        }
        let given = words(typed)
        let holder = Set(words(full))
        return given.count >= 2 && Set(given).count == given.count && given.allSatisfy(holder.contains)
    }
}
