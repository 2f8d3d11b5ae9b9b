import EmaCore
import Testing

@Suite("GS1-128 payment-slip barcodes")
struct GS1128Tests {
    let slip = [
        GS1128.Element("415", "7707181000005"), GS1128.Element("8020", "00001023456712345678"),
        GS1128.Element("3900", "0000050000"), GS1128.Element("96", "20261219"),
    ]

    @Test("Start C, FNC1, digit pairs, an FNC1 after each variable element that is not last, and the mod-103 check")
    func structure() throws {
        let values = try GS1128.values(for: slip)
        #expect(Array(values.prefix(2)) == [105, 102])
        // 415 7707181000005 → pairs 41 57 70 71 81 00 00 05, then 8020 and the 20-digit reference.
        #expect(Array(values[2..<10]) == [41, 57, 70, 71, 81, 0, 0, 5])
        #expect(Array(values[10..<22]) == [80, 20, 0, 0, 10, 23, 45, 67, 12, 34, 56, 78])
        #expect(values[22] == 102)
        #expect(Array(values[23..<30]) == [39, 0, 0, 0, 5, 0, 0] && values[30] == 102)
        #expect(Array(values[31..<36]) == [96, 20, 26, 12, 19])
        var checksum = values[0]
        for (position, value) in values.dropLast().enumerated().dropFirst() { checksum += value * position }
        #expect(values.last == checksum % 103)
        #expect(GS1128.humanReadable(slip) == "(415)7707181000005(8020)00001023456712345678(3900)0000050000(96)20261219")
    }

    @Test("What is encoded decodes back, odd-length runs (code set B for the last digit) included")
    func roundTrip() throws {
        #expect(try GS1128.decode(widths: GS1128.widths(for: slip)) == slip)
        let odd = [GS1128.Element("415", "7707181000005"), GS1128.Element("8020", "123"), GS1128.Element("3900", "45000"), GS1128.Element("96", "20270101")]
        let values = try GS1128.values(for: odd)
        #expect(values.contains(100) && values.contains(99))
        #expect(try GS1128.decode(widths: GS1128.widths(for: odd)) == odd)
    }

    @Test("A damaged symbol, a plain Code 128 and unknown or malformed data are refused")
    func refusals() throws {
        var widths = try GS1128.widths(for: slip)
        widths.swapAt(20, 21)
        #expect(throws: GS1128.Problem.self) { try GS1128.decode(widths: widths) }
        #expect(throws: GS1128.Problem.notGS1) { try GS1128.decode(widths: Code128.widths(for: "000010234567202611")) }
        #expect(throws: GS1128.Problem.unknownAI("01")) { try GS1128.values(for: [GS1128.Element("01", "12345678901231")]) }
        #expect(throws: GS1128.Problem.badData(ai: "415")) { try GS1128.values(for: [GS1128.Element("415", "770718100000")]) }
        #expect(throws: GS1128.Problem.badData(ai: "3900")) { try GS1128.values(for: [GS1128.Element("3900", "12.5")]) }
    }

    @Test("GLN check digits (mod 10, weights 3 and 1 from the right)")
    func gln() {
        #expect(GS1128.checkDigit("770718100000") == 5)
        #expect(GS1128.checkDigit("629104150021") == 3) // GS1's published example GLN 6291041500213
        #expect(GS1128.isValidGLN("7707181000005") && GS1128.isValidGLN("6291041500213"))
        #expect(!GS1128.isValidGLN("7707181000004") && !GS1128.isValidGLN("770718100000") && !GS1128.isValidGLN("77071810000a5"))
    }
}
