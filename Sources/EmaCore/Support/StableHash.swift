/// FNV-1a, 64 bits: the same value on every run and every machine (unlike `Hasher`), for
/// choices that must repeat (decoys, demo amounts) and for the duplicate filter.
public enum StableHash {
    public static let offset: UInt64 = 0xcbf2_9ce4_8422_2325

    public static func fnv1a(_ text: String, seed: UInt64 = offset) -> UInt64 {
        var hash = seed
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
