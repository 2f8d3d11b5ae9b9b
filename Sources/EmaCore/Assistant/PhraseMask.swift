import Foundation

/// A phrase Ema did not understand, made fit to keep and show to staff: e-mail addresses,
/// links, every number (a contract, a phone, an address, an amount, a code) and names are
/// replaced by what they are. Names are the words after «me llamo», «mi nombre es» or «soy»
/// written with a capital, and any word with a capital inside a sentence.
public enum PhraseMask {
    public static let longest = 300

    public static func mask(_ text: String) -> String {
        var masked = String(text.prefix(2_000))
        for (pattern, label) in [(email, "[correo]"), (link, "[enlace]"), (number, "[número]")] {
            masked = pattern.replacing(in: masked, with: label)
        }
        masked = introducedNames.replacing(in: masked, with: "$1 [nombre]")
        masked = capitalizedNames(masked)
        let squeezed = masked.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return squeezed.count > longest ? String(squeezed.prefix(longest - 1)) + "…" : squeezed
    }

    static let email = Pattern(#"[\w.+-]+@[\w-]+(\.[\w-]+)+"#)
    static let link = Pattern(#"(?i)(https?://|www\.)\S+"#)
    /// Digits, with the spaces, dots, dashes, slashes or # people put between them.
    static let number = Pattern(#"#?\d(?:\d|\s?[.,/#-]\s?(?=\d)|\s(?=\d))*"#)
    /// «me llamo juan pérez», «mi nombre es Ana»: up to three words after, whatever their case.
    static let introducedNames = Pattern(
        #"(?i)\b(me llamo|mi nombre es|habla con|le habla)\s+(?:[\p{L}'-]+)(?:\s+(?!y\b|e\b|de\b|para\b|por\b|que\b|quiero\b|necesito\b)[\p{L}'-]+){0,2}"#)

    /// A word starting with a capital that does not start a sentence is taken for a name
    /// («ayer vino Carlos a leer el medidor»); runs of such words become one «[nombre]».
    static func capitalizedNames(_ text: String) -> String {
        var words: [String] = []
        var sentenceStart = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let letters = word.drop { !$0.isLetter }
            let capitalized = letters.first?.isUppercase == true && !word.hasPrefix("[") && letters.contains { $0.isLowercase }
            if capitalized, !sentenceStart {
                let trailing = String(word.reversed().prefix { !$0.isLetter }.reversed())
                if words.last?.hasPrefix("[nombre]") == true {
                    words[words.count - 1] = "[nombre]" + trailing
                } else {
                    words.append("[nombre]" + trailing)
                }
            } else {
                words.append(word)
            }
            sentenceStart = word.last.map { ".!?¿¡".contains($0) } ?? false
            if word.hasPrefix("¿") || word.hasPrefix("¡") { sentenceStart = false }
        }
        return words.joined(separator: " ")
    }
}
