/// Masks personal data for logs and for people who must not see it whole.
public enum Masking {
    /// "+573001234567" → "+57300•••4567": country and operator prefix, and the last 4 digits.
    public static func phone(_ e164: String) -> String {
        let characters = Array(e164)
        guard characters.count > 10 else { return String(repeating: "•", count: characters.count) }
        return String(characters.prefix(6)) + "•••" + String(characters.suffix(4))
    }

    /// "CL 50 45 12 AP 301" → "CL 50 # 45-**": the street and the block stay, the numbers that
    /// locate the home do not. The one masked form of an address everywhere (chat, bill, lists).
    public static func address(_ address: String) -> String {
        let parts = address.uppercased().split(separator: " ").map(String.init)
        guard parts.count >= 3 else { return (parts.first ?? "") + " ***" }
        return "\(parts[0]) \(parts[1]) # \(parts[2])-**"
    }

    /// "María Fernanda Restrepo Gómez" → "Ma*** Fe*** Re*** Gó***": enough for the holder to
    /// recognize, too little to learn a stranger's name.
    public static func name(_ name: String) -> String {
        name.split(whereSeparator: \.isWhitespace)
            .map { word in String(word.prefix(2)) + "***" }
            .joined(separator: " ")
    }
}
