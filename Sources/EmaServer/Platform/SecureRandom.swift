import Foundation

/// Unpredictable bytes from the system's CSPRNG, for ids, salts and keys.
enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `count` random bytes as lowercase hex (twice as many characters).
    static func hex(_ count: Int) -> String {
        Hex.string(bytes(count))
    }
}
