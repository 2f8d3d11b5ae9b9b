/// Comparison whose duration does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when both byte sequences are equal. Runs over the longer length whatever the content;
    /// callers comparing secrets of variable length should compare digests (fixed length).
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        let a = Array(lhs)
        let b = Array(rhs)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        difference |= UInt8(a.count == b.count ? 0 : 1)
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
