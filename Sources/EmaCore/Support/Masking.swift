/// Masks personal data for logs and for people who must not see it whole.
public enum Masking {
    /// "+573001234567" → "+57 ••• ••• ••67": the country and the last two digits, no more,
    /// wherever a number is shown to someone who does not need it whole (staff pages, case
    /// histories, logs). Short or foreign numbers keep only their last two digits.
    public static func phone(_ e164: String) -> String {
        let characters = Array(e164)
        guard characters.count > 6 else { return String(repeating: "•", count: characters.count) }
        let tail = String(characters.suffix(2))
        if e164.hasPrefix("+57"), characters.count == 13 { return "+57 ••• ••• ••" + tail }
        return "•••" + tail
    }

    /// "+573001234567" → "300 •••• 67": enough for the holder to recognise their number on a
    /// page anyone at the screen may see.
    public static func mobileHint(_ e164: String) -> String {
        guard e164.hasPrefix("+57"), e164.count == 13 else { return phone(e164) }
        let national = e164.dropFirst(3)
        return "\(national.prefix(3)) •••• \(national.suffix(2))"
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
