import EmaCore
import Testing

@Suite("Backoff, constant-time comparison and masking")
struct SupportTests {
    @Test("Backoff doubles from the base, stays within the jitter band and the cap")
    func backoff() {
        let backoff = Backoff(base: 2, cap: 60, jitter: 0.2)
        #expect(backoff.delay(afterAttempt: 1, random: 0.5) == 2)
        #expect(backoff.delay(afterAttempt: 2, random: 0.5) == 4)
        #expect(backoff.delay(afterAttempt: 4, random: 0.5) == 16)
        #expect(backoff.delay(afterAttempt: 10, random: 0.5) == 60)
        #expect(backoff.delay(afterAttempt: 3, random: 0) == 8 * 0.8)
        #expect(abs(backoff.delay(afterAttempt: 3, random: 0.999_999) - 8 * 1.2) < 0.001)
    }

    @Test("Constant-time equality is equality")
    func constantTime() {
        #expect(ConstantTime.equals(Array("secreto".utf8), Array("secreto".utf8)))
        #expect(!ConstantTime.equals(Array("secreto".utf8), Array("secretO".utf8)))
        #expect(!ConstantTime.equals(Array("secreto".utf8), Array("secreto1".utf8)))
        #expect(!ConstantTime.equals([UInt8](), [0]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        // Lengths that differ by 256 must not compare equal through truncation.
        #expect(!ConstantTime.equals([UInt8](repeating: 0, count: 256), [UInt8]()))
    }

    @Test("Masks phones and addresses")
    func masking() {
        #expect(Masking.phone("+573001234567") == "+57 ••• ••• ••67")
        // At most the last two digits, whatever the number.
        for number in ["+573001234567", "+14155550123", "+5730012345678901"] {
            #expect(Masking.phone(number).filter(\.isNumber).count <= (number.hasPrefix("+57") ? 4 : 2))
        }
        #expect(Masking.address("CL 50 45 12 AP 301") == "CL 50 # 45-**")
        #expect(Masking.address("cr 43a 1 50") == "CR 43A # 1-**")
        #expect(Masking.address("Vereda") == "VEREDA ***")
        #expect(Masking.phone("+57") == "•••")
        #expect(Masking.phone("+14155550123") == "•••23")
    }
}
