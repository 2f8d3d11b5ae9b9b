/// Pesos as a person reads them in Colombia: `$ 125.400` (no cents, dot as thousands separator).
public enum Money {
    public static func format(cop amount: Int64) -> String {
        (amount < 0 ? "-$ " : "$ ") + SpanishNumber.grouped(String(amount.magnitude))
    }
}
