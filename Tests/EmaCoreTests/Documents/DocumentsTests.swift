@testable import EmaCore
import Foundation
import Testing

@Suite("Code 128 and the PDF writer")
struct DocumentsTests {
    /// Reads widths back into symbol values, the way a scanner would (stop pattern excluded).
    func decode(_ widths: [Int]) -> [Int] {
        stride(from: 0, to: widths.count - 7, by: 6).map { start in
            let symbol = widths[start..<start + 6].map(String.init).joined()
            return Code128.patterns.firstIndex(of: symbol) ?? -1
        }
    }

    @Test("The symbol table is the standard one: 107 patterns of 11 modules (the stop, 13), all distinct")
    func table() {
        #expect(Code128.patterns.count == 107)
        #expect(Set(Code128.patterns).count == 107)
        let modules = Code128.patterns.map { $0.reduce(0) { $0 + Int(String($1))! } }
        #expect(modules.dropLast().allSatisfy { $0 == 11 })
        #expect(modules.last == 13)
        // Spot checks against ISO/IEC 15417: value 0, Start B, Start C.
        #expect(Code128.patterns[0] == "212222")
        #expect(Code128.patterns[104] == "211214")
        #expect(Code128.patterns[105] == "211232")
    }

    @Test("A numeric reference is packed two digits a symbol with the right check symbol")
    func codeSetC() throws {
        let values = try Code128.values(for: "12345678")
        // Start C, 12 34 56 78, check (105 + 12·1 + 34·2 + 56·3 + 78·4) mod 103 = 47.
        #expect(values == [105, 12, 34, 56, 78, 47])
        let widths = try Code128.widths(for: "12345678")
        let modules: Int = widths.reduce(0, +)
        // Six symbols of 11 modules and the 13-module stop.
        #expect(modules == 79)
        #expect(decode(widths) == values)
        #expect(Array(widths.suffix(7)) == [2, 3, 3, 1, 1, 1, 2])
    }

    @Test("An odd number of digits ends in code set B; text uses code set B")
    func codeSetB() throws {
        // Start C, 12, Code B, "3" (19), check (105 + 12·1 + 100·2 + 19·3) mod 103 = 65.
        #expect(try Code128.values(for: "123") == [105, 12, 100, 19, 65])
        // Start B, E m a, check (104 + 37 + 77·2 + 65·3) mod 103 = 78.
        #expect(try Code128.values(for: "Ema") == [104, 37, 77, 65, 78])
        #expect(decode(try Code128.widths(for: "F-2026-11")) == (try Code128.values(for: "F-2026-11")))
        #expect(throws: Code128.EncodingError.empty) { try Code128.values(for: "") }
        #expect(throws: Code128.EncodingError.unsupportedCharacter("ñ")) { try Code128.values(for: "año") }
    }

    @Test("Every module width is 1 to 4 and each symbol spans 11 modules")
    func widthsAreValid() throws {
        let widths = try Code128.widths(for: "202611102345670000125400")
        #expect(widths.allSatisfy { (1...4).contains($0) })
        let symbols: [Int] = stride(from: 0, to: widths.count - 7, by: 6).map { start -> Int in widths[start..<start + 6].reduce(0, +) }
        #expect(symbols.allSatisfy { $0 == 11 })
    }

    @Test("The PDF has a correct cross-reference table and carries the text in WinAnsi")
    func pdf() throws {
        var writer = PDFWriter()
        writer.text("Factura de servicios públicos (noviembre)", x: 40, y: 800, size: 16, font: .bold)
        writer.text("Valor a pagar: $ 125.400 • Señora María", x: 40, y: 770)
        writer.barcode(try Code128.widths(for: "12345678"), x: 40, y: 100, height: 40)
        let bytes = writer.document(title: "Factura 10234567")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4"))
        #expect(text.hasSuffix("%%EOF\n"))
        // Every xref entry points at the start of its object.
        let startxref = try #require(text.range(of: "startxref\n"))
        let xrefOffset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        #expect(Array(bytes[xrefOffset..<xrefOffset + 4]) == Array("xref".utf8))
        let entries = String(decoding: bytes[xrefOffset...], as: UTF8.self).split(separator: "\n").dropFirst(3).prefix(7)
        for (index, entry) in entries.enumerated() {
            let offset = try #require(Int(entry.prefix(10)))
            let header = Array("\(index + 1) 0 obj".utf8)
            #expect(Array(bytes[offset..<offset + header.count]) == header)
        }
        // Accents as single WinAnsi bytes, the bullet at 0x95, parentheses escaped.
        #expect(bytes.contains(0xFA))
        #expect(bytes.contains(0x95))
        #expect(text.contains(#"\(noviembre\)"#))
        // Bars: the first bar of the start symbol C is 2 modules wide.
        #expect(text.contains("0 g 40 100 2 40 re f"))
    }

    @Test("A long text wraps between words and goes on to new pages; the page tree lists every page")
    func pages() throws {
        #expect(PDFWriter.wrap("uno dos tres cuatro\ncinco", columns: 9) == ["uno dos", "tres", "cuatro", "cinco"])
        // A textarea's CR LF breaks lines too (Swift reads "\r\n" as one character).
        #expect(PDFWriter.wrap("uno\r\ndos\ttres", columns: 20) == ["uno", "dos tres"])
        var writer = PDFWriter()
        let long = Array(repeating: "La lectura del medidor corresponde al consumo real del periodo facturado.", count: 120).joined(separator: " ")
        let end = writer.paragraph(long, x: 40, y: 700)
        #expect(end > 60)
        let text = String(decoding: writer.document(title: "Respuesta"), as: UTF8.self)
        let count = try #require(text.range(of: "/Count "))
        let pages = try #require(Int(text[count.upperBound...].prefix { $0.isNumber }))
        #expect(pages >= 2)
        #expect(text.components(separatedBy: "/Type /Page ").count - 1 == pages)
        #expect(text.contains("/Kids [6 0 R 8 0 R"))
    }
}
