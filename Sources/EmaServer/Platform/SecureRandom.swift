import EmaCore
import Foundation

/// Unpredictable bytes from the system's CSPRNG, for ids, salts and keys.
enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `count` characters a person can read aloud and type (no 0/O, 1/I): codes given to
    /// customers. 256 is a multiple of the alphabet's 32 letters, so each is equally likely.
    static func readable(_ count: Int) -> String {
        String(bytes(count).map { CaseAccessCode.alphabet[Int($0) % CaseAccessCode.alphabet.count] })
    }

    /// `count` random bytes as lowercase hex (twice as many characters).
    static func hex(_ count: Int) -> String {
        Hex.string(bytes(count))
    }

    /// `count` decimal digits, each equally likely.
    static func digits(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }
}
