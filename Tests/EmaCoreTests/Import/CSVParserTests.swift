import EmaCore
import Testing

@Suite("CSV parser")
struct CSVParserTests {
    func parse(_ text: String, chunk: Int = .max) -> [CSVRecord] {
        parse(Array(text.utf8), chunk: chunk)
    }

    func parse(_ bytes: [UInt8], chunk: Int = .max) -> [CSVRecord] {
        var parser = CSVParser()
        var records: [CSVRecord] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + min(chunk, bytes.count))
            parser.feed(bytes[index..<end]) { records.append($0) }
            index = end
        }
        parser.finish { records.append($0) }
        return records
    }

    @Test("Splits plain fields and numbers records by the line where they start")
    func plainFields() {
        let records = parse("a,b,c\n1,2,3\n")
        #expect(records == [CSVRecord(fields: ["a", "b", "c"], line: 1), CSVRecord(fields: ["1", "2", "3"], line: 2)])
    }

    @Test("Reads quoted fields with commas, doubled quotes and line breaks, counting lines as an editor does")
    func quotedFields() {
        let records = parse("h1,h2\n\"a, b\",\"dijo \"\"hola\"\"\"\n\"dos\nlíneas\",x\nfin,y")
        #expect(records.map(\.fields) == [["h1", "h2"], ["a, b", "dijo \"hola\""], ["dos\nlíneas", "x"], ["fin", "y"]])
        #expect(records.map(\.line) == [1, 2, 3, 5])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test("Accepts a UTF-8 byte-order mark and Windows line ends")
    func bomAndCRLF() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("contract_number,name\r\n1234,\"Ana\r\nMaría\"\r\n5678,Luis\r\n".utf8)
        let records = parse(bytes)
        #expect(records.map(\.fields) == [["contract_number", "name"], ["1234", "Ana\r\nMaría"], ["5678", "Luis"]])
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test("Treats a lone carriage return as a line end")
    func loneCR() {
        #expect(parse("a\rb\rc").map(\.fields) == [["a"], ["b"], ["c"]])
        #expect(parse("a\rb\rc").map(\.line) == [1, 2, 3])
    }

    @Test("Skips blank lines but keeps their numbers")
    func blankLines() {
        let records = parse("a,b\n\n1,2\n\n\n3,4\n\n")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(records.map(\.line) == [1, 3, 6])
    }

    @Test("Keeps empty fields, including a trailing one")
    func emptyFields() {
        #expect(parse("a,,c,\n").map(\.fields) == [["a", "", "c", ""]])
        #expect(parse("\"\"\n").map(\.fields) == [[""]])
    }

    @Test("Flags an unterminated quote on the line where it opens")
    func unterminatedQuote() {
        let records = parse("a,b\n1,\"abierta\n2,3\n")
        #expect(records.count == 2)
        #expect(records[1].line == 2)
        #expect(records[1].problem == .unterminatedQuote)
    }

    @Test("Flags a quote inside an unquoted field and text after a closing quote")
    func strayQuotes() {
        let records = parse("x,y\nab\"c,1\n\"ab\"c,2\n")
        #expect(records[1].problem == .quoteInUnquotedField)
        #expect(records[2].problem == .textAfterClosingQuote)
    }

    @Test("Flags bytes that are not UTF-8")
    func invalidUTF8() {
        let records = parse(Array("a,b\n".utf8) + [0x31, 0xE9, 0x2C, 0x32, 0x0A])
        #expect(records[1].problem == .invalidUTF8)
        #expect(records[0].problem == nil)
    }

    @Test("Gives the same records whatever the chunk size", arguments: [1, 2, 3, 5, 7, 64])
    func chunkIndependence(chunk: Int) {
        let text = "\u{FEFF}h1,h2,h3\r\n\"q,1\",\"line\r\nbreak\",x\r\n\r\nplain,\"a\"\"b\",\n\"end\""
        #expect(parse(text, chunk: chunk) == parse(text))
    }

    @Test("An empty input has no records")
    func emptyInput() {
        #expect(parse("").isEmpty)
        #expect(parse([0xEF, 0xBB, 0xBF]).isEmpty)
        #expect(parse("\n\n").isEmpty)
    }
}

extension CSVParserTests {
    @Test("Excel in Spanish: `;` separators taken from the header, a BOM, CRLF, quoted fields with `;`, quotes and line breaks; a comma is then plain text (decimal mark)")
    func semicolons() {
        let text = "\u{FEFF}contract_number;holder_name;amount\r\n10234567;\"Restrepo; Ana \"\"la Mona\"\"\";45.000,50\r\n10234568;\"Calle 10\r\nApto 2\";1,5\r\n"
        for chunk in [1, 2, 7, .max] {
            let records = parse(Array(text.utf8), chunk: chunk)
            #expect(records.map(\.fields) == [["contract_number", "holder_name", "amount"],
                                              ["10234567", "Restrepo; Ana \"la Mona\"", "45.000,50"],
                                              ["10234568", "Calle 10\r\nApto 2", "1,5"]], "chunk \(chunk)")
            #expect(records.map(\.line) == [1, 2, 3] && records.allSatisfy { $0.problem == nil })
        }
        var parser = CSVParser()
        parser.feed(Array("a;b,c\n".utf8)) { _ in }
        #expect(parser.separator == UInt8(ascii: ";"))
    }

    @Test("The first separator on the header decides: a comma file keeps `;` as text; a one-column file stays with commas; a separator can be insisted on")
    func separatorChoice() {
        #expect(parse("a,b\nx;y,z\n").map(\.fields) == [["a", "b"], ["x;y", "z"]])
        #expect(parse("\"a;b\";c\n1;2\n").map(\.fields) == [["a;b", "c"], ["1", "2"]])
        #expect(parse("solo\nuno,dos\n").map(\.fields) == [["solo"], ["uno", "dos"]])
        var fixed = CSVParser(separator: UInt8(ascii: ";"))
        var records: [CSVRecord] = []
        fixed.feed(Array("a,b;c\n".utf8)) { records.append($0) }
        fixed.finish { records.append($0) }
        #expect(records.map(\.fields) == [["a,b", "c"]])
    }
}
