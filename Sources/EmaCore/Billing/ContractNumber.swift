/// Contract numbers as the billing system issues them: 4 to 12 digits.
public enum ContractNumber {
    public static let lengths = 4...12

    /// True when `text` is 4 to 12 ASCII digits.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        lengths.contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A contract number as people type it ("10.234.567", "10 234 567"): the digits, if they
    /// make a valid number.
    public static func parse(_ typed: some StringProtocol) -> String? {
        let digits = String(typed.filter { !" .-".contains($0) })
        return isValid(digits) ? digits : nil
    }
}
