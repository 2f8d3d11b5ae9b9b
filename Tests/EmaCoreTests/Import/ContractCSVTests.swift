import EmaCore
import Testing

@Suite("contracts.csv rules")
struct ContractCSVTests {
    static let headerLine = "contract_number,holder_name,address,municipality,segment,services,status"

    func read(_ line: String, header: String = ContractCSVTests.headerLine) throws -> Result<ContractRow, ImportProblems> {
        var parser = CSVParser()
        var records: [CSVRecord] = []
        parser.feed(Array((header + "\n" + line + "\n").utf8)) { records.append($0) }
        parser.finish { records.append($0) }
        let header = try ContractCSV.header(records[0])
        return ContractCSV.parse(records[1], header: header)
    }

    func problems(_ line: String) throws -> [FieldProblem] {
        guard case .failure(let failure) = try read(line) else { return [] }
        return failure.problems
    }

    @Test("Reads a good row, folding case and accents in closed lists")
    func goodRow() throws {
        let row = try read("10234567,María López,CL 50 45 12 AP 301,Medellín,Hogares,Energía;agua; gas ,ACTIVO").get()
        #expect(row == ContractRow(
            contractNumber: "10234567", holderName: "María López", address: "CL 50 45 12 AP 301",
            municipality: "Medellín", segment: .hogares, services: [.energia, .agua, .gas], status: .activo
        ))
    }

    @Test("An empty status means activo, and the status column may be absent")
    func statusDefault() throws {
        #expect(try read("1234,Ana,CR 1 2 3,Bello,empresas,agua,").get().status == .activo)
        let withoutStatus = "contract_number,holder_name,address,municipality,segment,services"
        #expect(try read("1234,Ana,CR 1 2 3,Bello,gobierno,agua", header: withoutStatus).get().segment == .gobierno)
    }

    @Test("bill_channels: paper when absent or empty; impresa, correo or both; anything else is named")
    func billChannels() throws {
        let header = Self.headerLine + ",bill_channels"
        #expect(try read("1234,Ana,CR 1 2 3,Bello,hogares,agua,activo").get().billChannels == [.impresa])
        #expect(try read("1234,Ana,CR 1 2 3,Bello,hogares,agua,activo,", header: header).get().billChannels == [.impresa])
        #expect(try read("1234,Ana,CR 1 2 3,Bello,hogares,agua,activo,Correo", header: header).get().billChannels == [.correo])
        #expect(try read("1234,Ana,CR 1 2 3,Bello,hogares,agua,activo,impresa; correo", header: header).get().billChannels == [.impresa, .correo])
        guard case .failure(let failure) = try read("1234,Ana,CR 1 2 3,Bello,hogares,agua,activo,fax", header: header) else {
            Issue.record("a channel that is not one was accepted")
            return
        }
        #expect(failure.problems.map(\.column) == ["bill_channels"])
        #expect(failure.problems.first?.message.contains("«fax» no es un canal de factura válido; use impresa o correo") == true)
    }

    @Test("Names each bad field with its column", arguments: [
        ("12A4,Ana,CR 1,Bello,hogares,agua,activo", "contract_number"),
        ("123,Ana,CR 1,Bello,hogares,agua,activo", "contract_number"),
        ("1234567890123,Ana,CR 1,Bello,hogares,agua,activo", "contract_number"),
        (",Ana,CR 1,Bello,hogares,agua,activo", "contract_number"),
        ("1234,,CR 1,Bello,hogares,agua,activo", "holder_name"),
        ("1234,Ana,,Bello,hogares,agua,activo", "address"),
        ("1234,Ana,CR 1,  ,hogares,agua,activo", "municipality"),
        ("1234,Ana,CR 1,Bello,hogar,agua,activo", "segment"),
        ("1234,Ana,CR 1,Bello,hogares,luz,activo", "services"),
        ("1234,Ana,CR 1,Bello,hogares,,activo", "services"),
        ("1234,Ana,CR 1,Bello,hogares,agua,suspendido", "status"),
    ])
    func badField(line: String, column: String) throws {
        let found = try problems(line)
        #expect(found.count == 1)
        #expect(found.first?.column == column)
        #expect(found.first?.line == 2)
    }

    @Test("Reports every problem of a line at once")
    func everyProblem() throws {
        let found = try problems("12,,CR 1,Bello,x,luz,y")
        #expect(Set(found.compactMap(\.column)) == ["contract_number", "holder_name", "segment", "services", "status"])
    }

    @Test("A line with the wrong number of fields is one problem about the line")
    func fieldCount() throws {
        let found = try problems("1234,Ana,CR 1,Bello,hogares")
        #expect(found.count == 1)
        #expect(found[0].column == nil)
        #expect(found[0].message.contains("5 campos"))
    }

    @Test("A header without a required column or with a repeated one is refused")
    func badHeader() {
        var parser = CSVParser()
        var records: [CSVRecord] = []
        parser.feed(Array("contract_number,holder_name,holder_name,municipality,segment\n".utf8)) { records.append($0) }
        parser.finish { records.append($0) }
        #expect(throws: ImportProblems.self) { try ContractCSV.header(records[0]) }
        do throws(ImportProblems) {
            _ = try ContractCSV.header(records[0])
        } catch {
            let columns = Set(error.problems.compactMap(\.column))
            #expect(columns == ["holder_name", "address", "services"])
        }
    }

    @Test("Columns may come in any order; unknown ones are ignored and reported")
    func columnOrder() throws {
        let header = "segment,services,extra,municipality,address,holder_name,contract_number"
        let row = try read("empresas,agua,zzz,Itagüí,CL 1 2 3,Textiles S.A.,98765", header: header).get()
        #expect(row.contractNumber == "98765")
        #expect(row.segment == .empresas)
    }

    @Test("Long free text is refused with its limit")
    func longText() throws {
        let found = try problems("1234,\(String(repeating: "a", count: 201)),CR 1,Bello,hogares,agua,activo")
        #expect(found.first?.column == "holder_name")
        #expect(found.first?.message.contains("200") == true)
    }
}
