/// Colombian mobile numbers: 10 digits starting with 3, written with or without +57 and with
/// any spaces, dots, dashes or parentheses. Stored in E.164 (`+573001234567`).
public enum ColombianMobile {
    /// The E.164 form, or nil when the text is not a Colombian mobile number.
    public static func e164(_ text: String) -> String? {
        var digits = ""
        var sawPlus = false
        for character in text {
            switch character {
            case "0"..."9": digits.append(character)
            case "+" where digits.isEmpty && !sawPlus: sawPlus = true
            case " ", "-", ".", "(", ")", "\u{00A0}": continue
            default: return nil
            }
        }
        if digits.count == 12, digits.hasPrefix("57") {
            digits.removeFirst(2)
        } else if sawPlus {
            return nil
        }
        guard digits.count == 10, digits.first == "3" else { return nil }
        return "+57" + digits
    }

    /// "+573001234567" → "300 123 4567", as Colombians write it.
    public static func display(_ e164: String) -> String {
        let digits = Array(e164.hasPrefix("+57") ? e164.dropFirst(3) : e164[...])
        guard digits.count == 10 else { return e164 }
        return String(digits[0..<3]) + " " + String(digits[3..<6]) + " " + String(digits[6..<10])
    }
}
