/// Pesos as a person reads them in Colombia: `$ 125.400` (no cents, dot as thousands separator).
public enum Money {
    public static func format(cop amount: Int64) -> String {
        let digits = String(amount.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(character)
        }
        return (amount < 0 ? "-$ " : "$ ") + grouped
    }
}
