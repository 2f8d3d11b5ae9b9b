/// Finds keys that appear more than once in a stream, in memory that does not grow with the
/// stream: a Bloom filter of fixed size flags *possible* repeats, and only those few keys are
/// kept as candidates for an exact second look (`confirm`).
public struct DuplicateFinder: Sendable {
    private var bits: [UInt64]
    private let mask: UInt64
    private static let hashCount = 4
    /// Keys the filter may have seen before. Small: true repeats plus rare false positives.
    public private(set) var candidates: Set<String> = []

    /// - Parameter expectedKeys: sizes the filter (about 32 bits a key), capped at 16 MiB.
    public init(expectedKeys: Int) {
        let wanted = max(1 << 16, min(1 << 27, expectedKeys * 32))
        var size = 1 << 16
        while size < wanted { size <<= 1 }
        bits = Array(repeating: 0, count: size / 64)
        mask = UInt64(size - 1)
    }

    /// Notes a key; returns true when it may have been seen before (it becomes a candidate).
    @discardableResult
    public mutating func insert(_ key: String) -> Bool {
        let (h1, h2) = Self.hashes(key)
        var present = true
        for i in 0..<UInt64(Self.hashCount) {
            let bit = (h1 &+ i &* h2) & mask
            let word = Int(bit >> 6)
            let flag = UInt64(1) << (bit & 63)
            if bits[word] & flag == 0 {
                present = false
                bits[word] |= flag
            }
        }
        if present { candidates.insert(key) }
        return present
    }

    /// FNV-1a twice with different seeds, for double hashing.
    private static func hashes(_ key: String) -> (UInt64, UInt64) {
        let a = StableHash.fnv1a(key)
        var b = StableHash.fnv1a(key, seed: 0x8422_2325_cbf2_9ce4)
        b ^= b >> 29
        return (a, b | 1)
    }
}

/// The exact second look: fed every (key, line) of the stream again, it reports each repeat of
/// a candidate key with the line where the key first appeared.
public struct DuplicateConfirmer: Sendable {
    private var firstLine: [String: Int] = [:]
    private let candidates: Set<String>

    public init(candidates: Set<String>) {
        self.candidates = candidates
    }

    /// Returns the first line of `key` when this occurrence is a repeat.
    public mutating func check(_ key: String, line: Int) -> Int? {
        guard candidates.contains(key) else { return nil }
        if let first = firstLine[key] { return first }
        firstLine[key] = line
        return nil
    }
}
