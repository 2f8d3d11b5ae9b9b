/// GS1-128 barcodes (Code 128 with FNC1 first), as Colombian banks and collection points read
/// them on a utility's payment slip: `(415)` the collector's GLN, `(8020)` the payment reference,
/// `(3900)` the amount in whole pesos and `(96)` the last day to pay (`AAAAMMDD`). `8020` and
/// `3900` have no fixed length, so an FNC1 ends each of them when another element follows.
///
/// Digits only: the symbol is written in code set C (two digits a symbol); a run with an odd
/// number of digits before an FNC1 puts its last digit in code set B and comes back to C.
public enum GS1128 {
    public struct Element: Sendable, Equatable {
        public let ai: String
        public let data: String

        public init(_ ai: String, _ data: String) {
            self.ai = ai
            self.data = data
        }
    }

    /// How long each application identifier this slip uses is, and how long its data may be;
    /// `fixed` data needs no FNC1 after it.
    struct Definition {
        let data: ClosedRange<Int>
        var fixed: Bool { data.lowerBound == data.upperBound }
    }

    static let definitions: [String: Definition] = [
        "415": Definition(data: 13...13),
        "8020": Definition(data: 1...25),
        "3900": Definition(data: 1...15),
        "96": Definition(data: 1...30),
    ]

    public enum Problem: Error, Equatable {
        case unknownAI(String)
        case badData(ai: String)
        case notGS1
        case badCheck
        case unreadable
    }

    static let fnc1 = 102
    static let codeB = 100
    static let codeC = 99

    /// The text printed under the bars: `(415)7707181000001(8020)…`.
    public static func humanReadable(_ elements: [Element]) -> String {
        elements.map { "(\($0.ai))\($0.data)" }.joined()
    }

    /// The symbol values: start C, FNC1, the elements (FNC1 after each variable-length one that
    /// is not last) and the check symbol; stop excluded.
    public static func values(for elements: [Element]) throws(Problem) -> [Int] {
        var values = [Code128.startC, fnc1]
        var run: [UInt8] = []
        func flush(moreFollows: Bool) {
            var index = 0
            while index + 1 < run.count {
                values.append(Int(run[index] - 0x30) * 10 + Int(run[index + 1] - 0x30))
                index += 2
            }
            if index < run.count {
                values.append(codeB)
                values.append(Int(run[index]) - 32)
                if moreFollows { values.append(codeC) }
            }
            run = []
        }
        for (position, element) in elements.enumerated() {
            guard let definition = definitions[element.ai] else { throw .unknownAI(element.ai) }
            let digits = Array(element.data.utf8)
            guard definition.data.contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw .badData(ai: element.ai)
            }
            run += Array(element.ai.utf8) + digits
            let last = position == elements.count - 1
            if !definition.fixed, !last {
                flush(moreFollows: true)
                values.append(fnc1)
            }
        }
        flush(moreFollows: false)
        var checksum = values[0]
        for (position, value) in values.enumerated().dropFirst() { checksum += value * position }
        values.append(checksum % 103)
        return values
    }

    /// Element widths in modules, bar first, with the stop pattern (for `PDFWriter.barcode`).
    public static func widths(for elements: [Element]) throws(Problem) -> [Int] {
        (try values(for: elements) + [Code128.stop]).flatMap { value in Code128.patterns[value].map { Int(String($0))! } }
    }

    // MARK: Reading

    /// Reads bars back to elements, as a scanner would: patterns to symbols, the check symbol
    /// verified, FNC1 first, then each AI and its data (fixed length, or up to the next FNC1).
    public static func decode(widths: [Int]) throws(Problem) -> [Element] {
        var symbols: [Int] = []
        var index = 0
        while index < widths.count {
            let size = widths.count - index == 7 ? 7 : 6
            guard index + size <= widths.count else { throw .unreadable }
            let pattern = widths[index..<index + size].map(String.init).joined()
            guard let value = Code128.patterns.firstIndex(of: pattern) else { throw .unreadable }
            symbols.append(value)
            index += size
        }
        guard symbols.count >= 4, symbols.last == Code128.stop else { throw .unreadable }
        symbols.removeLast()
        let check = symbols.removeLast()
        var checksum = symbols[0]
        for (position, value) in symbols.enumerated().dropFirst() { checksum += value * position }
        guard checksum % 103 == check else { throw .badCheck }
        guard symbols[0] == Code128.startC, symbols[1] == fnc1 else { throw .notGS1 }
        // The data as text, with «|» for each FNC1 after the first.
        var text = ""
        var set = Code128.startC
        for value in symbols.dropFirst(2) {
            switch value {
            case fnc1: text.append("|")
            case codeB where set == Code128.startC: set = Code128.startB
            case codeC where set == Code128.startB: set = Code128.startC
            default:
                if set == Code128.startC {
                    guard value < 100 else { throw .unreadable }
                    text += value < 10 ? "0\(value)" : "\(value)"
                } else {
                    text.append(Character(Unicode.Scalar(UInt8(value + 32))))
                }
            }
        }
        return try parse(text)
    }

    /// `415…8020…|3900…|96…` to elements.
    static func parse(_ text: String) throws(Problem) -> [Element] {
        var rest = Substring(text)
        var elements: [Element] = []
        while !rest.isEmpty {
            guard let ai = definitions.keys.first(where: { rest.hasPrefix($0) }), let definition = definitions[ai] else {
                throw .unknownAI(String(rest.prefix(4)))
            }
            rest = rest.dropFirst(ai.count)
            let data: Substring
            if definition.fixed {
                data = rest.prefix(definition.data.upperBound)
                rest = rest.dropFirst(data.count)
            } else {
                data = rest.prefix { $0 != "|" }
                rest = rest.dropFirst(data.count)
                if rest.first == "|" { rest = rest.dropFirst() }
            }
            guard definition.data.contains(data.count), data.allSatisfy(\.isNumber) else { throw .badData(ai: ai) }
            elements.append(Element(ai, String(data)))
        }
        return elements
    }

    /// The GS1 check digit (mod 10, weights 3 and 1 from the right) of a key's first digits.
    public static func checkDigit(_ digits: String) -> Int {
        let sum = digits.reversed().enumerated().reduce(0) { sum, item in
            sum + (item.element.wholeNumberValue ?? 0) * (item.offset % 2 == 0 ? 3 : 1)
        }
        return (10 - sum % 10) % 10
    }

    /// A GLN: 13 digits whose last is the check digit of the first 12.
    public static func isValidGLN(_ gln: String) -> Bool {
        gln.count == 13 && gln.allSatisfy(\.isASCII) && gln.allSatisfy(\.isNumber)
            && checkDigit(String(gln.prefix(12))) == gln.last!.wholeNumberValue
    }
}
