@testable import EmaServer
import Testing

@Suite("Hexadecimal and SHA-256")
struct HexTests {
    @Test("Bytes to lowercase hex, and the SHA-256 test vector of FIPS 180-2")
    func vectors() {
        #expect(Hex.string([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.string([]) == "")
        #expect(Hex.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecureRandom.hex(16).count == 32)
    }
}
