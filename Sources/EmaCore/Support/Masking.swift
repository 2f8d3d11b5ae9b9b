/// Masks personal data for logs and for people who must not see it whole.
public enum Masking {
    /// "+573001234567" → "+57300•••4567"; keeps country and operator prefix and the last 4 digits.
    public static func phone(_ e164: String) -> String {
        let characters = Array(e164)
        guard characters.count > 8 else { return String(repeating: "•", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "•", count: characters.count - 10 > 0 ? characters.count - 10 : 3) + String(characters.suffix(4))
    }

    /// "María Fernanda López" → "Ma*** Fe*** Ló***".
    public static func name(_ name: String) -> String {
        name.split(separator: " ").map { word in String(word.prefix(2)) + "***" }.joined(separator: " ")
    }

    /// "CL 50 45 12 AP 301" → "CL 50 ** ** ** ***": the street stays, the numbers that locate the home do not.
    public static func address(_ address: String) -> String {
        let words = address.split(separator: " ")
        return words.enumerated().map { index, word in
            index < 2 ? String(word) : String(repeating: "*", count: min(word.count, 3))
        }.joined(separator: " ")
    }
}
