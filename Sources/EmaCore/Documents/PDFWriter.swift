/// A small PDF 1.4 writer for one-page documents such as a bill: text in the standard Helvetica
/// fonts (WinAnsi encoding, so Spanish accents print), filled rectangles (for barcodes and
/// rules), nothing else. Coordinates are points from the bottom-left corner of an A4 page.
public struct PDFWriter {
    public static let pageWidth = 595.0
    public static let pageHeight = 842.0

    public enum Font: String { case regular = "F1", bold = "F2" }

    private var content: [UInt8] = []
    /// The pages before the current one.
    private var finished: [[UInt8]] = []

    public init() {}

    /// Writes `text` with its baseline starting at (x, y).
    public mutating func text(_ text: String, x: Double, y: Double, size: Double = 10, font: Font = .regular) {
        append("BT /\(font.rawValue) \(Self.number(size)) Tf \(Self.number(x)) \(Self.number(y)) Td (")
        content += Self.winAnsi(text)
        append(") Tj ET\n")
    }

    /// A filled rectangle, in the given grey (0 black … 1 white).
    public mutating func rectangle(x: Double, y: Double, width: Double, height: Double, grey: Double = 0) {
        append("\(Self.number(grey)) g \(Self.number(x)) \(Self.number(y)) \(Self.number(width)) \(Self.number(height)) re f 0 g\n")
    }

    /// A Code 128 barcode: `widths` from `Code128.widths`, each module `module` points wide.
    public mutating func barcode(_ widths: [Int], x: Double, y: Double, height: Double, module: Double = 1) {
        var position = x
        for (index, width) in widths.enumerated() {
            let span = Double(width) * module
            if index % 2 == 0 { rectangle(x: position, y: y, width: span, height: height) }
            position += span
        }
    }

    /// Ends the current page; what is written next goes on a new one.
    public mutating func newPage() {
        finished.append(content)
        content = []
    }

    /// Writes `text` from (x, y) down, in lines of at most `columns` characters (cut between
    /// words; the text's own line breaks kept), `leading` points apart. A line that would fall
    /// below `bottom` starts a new page at `top`. Returns where the next line would go.
    @discardableResult
    public mutating func paragraph(_ text: String, x: Double, y: Double, columns: Int = 95, size: Double = 10, leading: Double = 14,
                                   top: Double = pageHeight - 60, bottom: Double = 60) -> Double {
        var y = y
        for line in Self.wrap(text, columns: columns) {
            if y < bottom {
                newPage()
                y = top
            }
            self.text(line, x: x, y: y, size: size)
            y -= leading
        }
        return y
    }

    /// Lines of at most `columns` characters, cut between words (a longer word on a line of its own).
    public static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        // A browser's textarea sends CR LF; a tab reads as a space.
        let text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").replacingOccurrences(of: "\t", with: " ")
        for source in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in source.split(separator: " ") {
                if line.isEmpty { line = String(word) } else if line.count + 1 + word.count <= columns { line += " " + word } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// The finished file: the catalog, the page tree, the two fonts and the document's title,
    /// then each page and its content.
    public func document(title: String) -> [UInt8] {
        let pages = finished + [content]
        var objects: [[UInt8]] = []
        let kids = pages.indices.map { "\(6 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append(Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        objects.append(Array("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>".utf8))
        objects.append(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))
        objects.append(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8))
        objects.append(Array("<< /Title (".utf8) + Self.winAnsi(title) + Array(") /Producer (Ema) >>".utf8))
        for (index, page) in pages.enumerated() {
            objects.append(Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(Self.pageWidth)) \(Self.number(Self.pageHeight))] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(7 + 2 * index) 0 R >>".utf8))
            objects.append(Array("<< /Length \(page.count) >>\nstream\n".utf8) + page + Array("endstream".utf8))
        }

        var file = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, body) in objects.enumerated() {
            offsets.append(file.count)
            file += Array("\(index + 1) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let xref = file.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            table += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return file + Array(table.utf8)
    }

    private mutating func append(_ text: String) {
        content += Array(text.utf8)
    }

    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Text as a PDF string in WinAnsi: Latin-1 letters as they are, the few typographic
    /// characters at their WinAnsi places, parentheses and backslashes escaped, the rest "?".
    static func winAnsi(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            let byte: UInt8
            switch scalar.value {
            case 0x28, 0x29, 0x5C: bytes.append(0x5C); byte = UInt8(scalar.value)
            case 0x20...0x7E, 0xA0...0xFF: byte = UInt8(scalar.value)
            case 0x2022: byte = 0x95 // •
            case 0x2013: byte = 0x96 // –
            case 0x2014: byte = 0x97 // —
            case 0x201C: byte = 0x93 // “
            case 0x201D: byte = 0x94 // ”
            case 0x2026: byte = 0x85 // …
            default: byte = 0x3F
            }
            bytes.append(byte)
        }
        return bytes
    }
}
