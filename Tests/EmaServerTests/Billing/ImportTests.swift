@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Importing contracts and bills")
struct ImportTests {
    static let contractsHeader = "contract_number,holder_name,address,municipality,segment,services,status"

    static let goodContracts = """
        contract_number,holder_name,address,municipality,segment,services,status
        10234567,María Fernanda Restrepo,CL 50 45 12 AP 301,Medellín,hogares,energia;agua;alcantarillado,activo
        20345678,"Textiles Aburrá, S.A.",CR 43A 1 50,Itagüí,grandes_clientes,energia;gas,
        30456789,Alcaldía de Bello,CL 52 50 13,Bello,gobierno,energia;agua,activo
        40567890,Panadería La Espiga,TV 32 75 20,Envigado,empresas,energia,inactivo

        """

    func importer(_ app: Application) -> CSVFileImporter {
        CSVFileImporter(database: app.db, clock: app.clock)
    }

    /// The problems of a file that must be rejected (a test failure if it was imported).
    func problems(_ app: Application, _ kind: CSVFileImporter.Kind, _ text: String) async throws -> [FieldProblem] {
        let outcome = try await importer(app).importFile(kind, path: try temporaryFile(text))
        guard case .rejected(let problems) = outcome else {
            Issue.record("the file should have been rejected, it was \(outcome)")
            return []
        }
        return problems
    }

    func contractCount(_ app: Application) async throws -> Int {
        try await Contract.query(on: app.db).count()
    }

    @Test("A good file is imported with exact counts; a re-import changes nothing")
    func goodFileAndReimport() async throws {
        try await withEmaApp { app in
            let path = try temporaryFile(Self.goodContracts)
            let outcome1 = try await importer(app).importFile(.contracts, path: path)
            #expect(outcome1 == .imported(UpsertCounts(new: 4), ignoredColumns: []))
            let textiles = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "20345678").first())
            #expect(textiles.holderName == "Textiles Aburrá, S.A.")
            #expect(textiles.segment == "grandes_clientes")
            #expect(textiles.services == "energia;gas")
            #expect(textiles.status == "activo")
            #expect(textiles.paperInvoice == false)

            let outcome2 = try await importer(app).importFile(.contracts, path: path)
            #expect(outcome2 == .imported(UpsertCounts(unchanged: 4), ignoredColumns: []))
            #expect(try await contractCount(app) == 4)
        }
    }

    @Test("The same contracts saved by Excel in Spanish (a byte-order mark, `;`, CRLF, quoted lists) import the same; re-importing the comma file changes nothing")
    func excelInSpanish() async throws {
        try await withEmaApp { app in
            let excel = "\u{FEFF}contract_number;holder_name;address;municipality;segment;services;status\r\n"
                + "10234567;María Fernanda Restrepo;CL 50 45 12 AP 301;Medellín;hogares;\"energia;agua;alcantarillado\";activo\r\n"
                + "20345678;Textiles Aburrá, S.A.;CR 43A 1 50;Itagüí;grandes_clientes;\"energia;gas\";\r\n"
                + "30456789;\"Alcaldía de Bello\r\n(Secretaría de Hacienda)\";CL 52 50 13;Bello;gobierno;\"energia;agua\";activo\r\n"
                + "40567890;\"Panadería \"\"La Espiga\"\"\";TV 32 75 20;Envigado;empresas;energia;inactivo\r\n"
            #expect(try await importer(app).importFile(.contracts, path: try temporaryFile(excel)) == .imported(UpsertCounts(new: 4), ignoredColumns: []))
            let textiles = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "20345678").first())
            #expect(textiles.holderName == "Textiles Aburrá, S.A." && textiles.services == "energia;gas" && textiles.segment == "grandes_clientes")
            let bakery = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "40567890").first())
            #expect(bakery.holderName == "Panadería \"La Espiga\"")
            // A bad line in such a file is named by its editor line (the header is line 1; a
            // quoted line break makes a record two lines long).
            let bad = excel + "5056;Nadie;CL 1;Medellín;vecinos;energia;activo\r\n"
            let problems = try await problems(app, .contracts, bad)
            #expect(problems.contains { $0.line == 7 && $0.column == "segment" })
        }
    }

    @Test("Changed rows are updated, new ones added, and Ema's own fields are kept")
    func updates() async throws {
        try await withEmaApp { app in
            _ = try await importer(app).importFile(.contracts, path: try temporaryFile(Self.goodContracts))
            let marked = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            marked.paperInvoice = true
            try await marked.save(on: app.db)

            let changed = """
                contract_number,holder_name,address,municipality,segment,services
                10234567,María Fernanda Restrepo Gómez,CL 50 45 12 AP 301,Medellín,hogares,energia;agua;alcantarillado
                30456789,Alcaldía de Bello,CL 52 50 13,Bello,gobierno,agua;energia
                50678901,Droguería Buena Salud,CL 10 20 30,Sabaneta,empresas,energia
                """
            let outcome = try await importer(app).importFile(.contracts, path: try temporaryFile(changed))
            #expect(outcome == .imported(UpsertCounts(new: 1, updated: 1, unchanged: 1), ignoredColumns: []))
            let updated = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            #expect(updated.holderName == "María Fernanda Restrepo Gómez")
            #expect(updated.paperInvoice == true)
            #expect(try await contractCount(app) == 5)
        }
    }

    @Test("Every bad line is named and nothing is imported")
    func badLines() async throws {
        try await withEmaApp { app in
            let file = """
                \(Self.contractsHeader)
                10234567,Ana,CL 1 2 3,Medellín,hogares,agua,activo
                12A4,Luis,CL 1 2 3,Bello,hogares,agua,activo
                20345678,,CL 1 2 3,Bello,hogar,luz,activo
                30456789,Eva,CL 1 2 3,Bello,hogares
                40567890,"Sin cerrar,CL 1 2 3,Bello,hogares,agua,activo
                """
            let problems = try await problems(app, .contracts, file)
            #expect(problems.map(\.line) == [3, 4, 4, 4, 5, 6])
            #expect(problems.map(\.column) == ["contract_number", "holder_name", "segment", "services", nil, nil])
            #expect(problems.first?.description.hasPrefix("línea 3, columna contract_number:") == true)
            #expect(try await contractCount(app) == 0)
        }
    }

    @Test("A key repeated in the file is refused, naming both lines")
    func duplicates() async throws {
        try await withEmaApp { app in
            let file = """
                \(Self.contractsHeader)
                10234567,Ana,CL 1 2 3,Medellín,hogares,agua,activo
                20345678,Luis,CL 1 2 3,Bello,hogares,agua,activo
                10234567,Ana María,CL 1 2 3,Medellín,hogares,agua,activo
                """
            let problems = try await problems(app, .contracts, file)
            #expect(problems.count == 1)
            #expect(problems[0].line == 4)
            #expect(problems[0].message.contains("línea 2"))
            #expect(try await contractCount(app) == 0)
        }
    }

    @Test("An empty file is refused; a header alone imports nothing and succeeds")
    func emptyFiles() async throws {
        try await withEmaApp { app in
            let problems = try await problems(app, .contracts, "")
            #expect(problems.count == 1)
            #expect(problems[0].line == 1)
            #expect(problems[0].message.contains("vacío"))
            let headerOnly = try await importer(app).importFile(.contracts, path: try temporaryFile(Self.contractsHeader + "\n"))
            #expect(headerOnly == .imported(UpsertCounts(), ignoredColumns: []))
        }
    }

    @Test("A file with a byte-order mark and Windows line ends imports like any other")
    func bomAndCRLF() async throws {
        try await withEmaApp { app in
            let text = Self.goodContracts.replacingOccurrences(of: "\n", with: "\r\n")
            let path = try temporaryFile(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8))
            let outcome3 = try await importer(app).importFile(.contracts, path: path)
            #expect(outcome3 == .imported(UpsertCounts(new: 4), ignoredColumns: []))
            let first = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "10234567").first())
            #expect(first.status == "activo")
            #expect(first.holderName == "María Fernanda Restrepo")
        }
    }

    @Test("A header without required columns is refused before any line is read")
    func badHeader() async throws {
        try await withEmaApp { app in
            let problems = try await problems(app, .contracts, "numero,nombre\n1234,Ana\n")
            #expect(problems.allSatisfy { $0.line == 1 })
            #expect(Set(problems.compactMap(\.column)) == Set(ContractCSV.requiredColumns))
        }
    }

    @Test("Bills are imported for existing contracts and upserted by number")
    func invoices() async throws {
        try await withEmaApp { app in
            _ = try await importer(app).importFile(.contracts, path: try temporaryFile(Self.goodContracts))
            let bills = """
                invoice_number,contract_number,period,issue_date,due_date,amount_cop
                F-2026-10-1,10234567,2026-10,2026-10-03,2026-10-23,118300
                F-2026-11-1,10234567,2026-11,2026-11-03,2026-11-23,125400
                F-2026-11-2,20345678,2026-11,2026-11-03,2026-11-23,18450000
                """
            let outcome4 = try await importer(app).importFile(.invoices, path: try temporaryFile(bills))
            #expect(outcome4 == .imported(UpsertCounts(new: 3), ignoredColumns: []))
            let corrected = bills.replacingOccurrences(of: "125400", with: "125900")
            let outcome5 = try await importer(app).importFile(.invoices, path: try temporaryFile(corrected))
            #expect(outcome5 == .imported(UpsertCounts(updated: 1, unchanged: 2), ignoredColumns: []))
            let bill = try #require(try await Invoice.query(on: app.db).filter(\.$invoiceNumber == "F-2026-11-1").with(\.$contract).first())
            #expect(bill.amountCOP == 125_900)
            #expect(bill.contract.contractNumber == "10234567")
            #expect(bill.period == "2026-11")
            #expect(bill.dueDate == "2026-11-23")
        }
    }

    @Test("A bill for a contract that does not exist is named, and no bill is imported")
    func invoiceForMissingContract() async throws {
        try await withEmaApp { app in
            _ = try await importer(app).importFile(.contracts, path: try temporaryFile(Self.goodContracts))
            let bills = """
                invoice_number,contract_number,period,issue_date,due_date,amount_cop
                F-1,10234567,2026-11,2026-11-03,2026-11-23,125400
                F-2,99999999,2026-11,2026-11-03,2026-11-23,1000
                F-3,10234567,2026-11,2026-11-23,2026-11-03,1000
                """
            let problems = try await problems(app, .invoices, bills)
            #expect(problems.map(\.line) == [3, 4])
            #expect(problems[0].column == "contract_number")
            #expect(problems[0].message.contains("99999999"))
            #expect(try await Invoice.query(on: app.db).count() == 0)
        }
    }

    // A limit against a hang, not a timing: it counts the wait for a test slot, and the whole
    // suite on a busy 2-core machine takes more than two minutes.
    @Test("A large file is validated and written in batches", .timeLimit(.minutes(5)))
    func manyRows() async throws {
        try await withEmaApp { app in
            var text = Self.contractsHeader + "\n"
            for index in 0..<5_432 {
                text += "\(10_000_000 + index),Titular \(index),CL \(index % 100) 1 2,Medellín,hogares,energia;agua,activo\n"
            }
            var small = importer(app)
            small.chunkSize = 4_096
            let path = try temporaryFile(text)
            let outcome6 = try await small.importFile(.contracts, path: path)
            #expect(outcome6 == .imported(UpsertCounts(new: 5_432), ignoredColumns: []))
            #expect(try await contractCount(app) == 5_432)
            let outcome7 = try await small.importFile(.contracts, path: path)
            #expect(outcome7 == .imported(UpsertCounts(unchanged: 5_432), ignoredColumns: []))
        }
    }

    @Test("Unknown columns are ignored and reported")
    func ignoredColumns() async throws {
        try await withEmaApp { app in
            let file = "contract_number,holder_name,address,municipality,segment,services,estrato\n1234,Ana,CL 1 2 3,Bello,hogares,agua,3\n"
            let outcome8 = try await importer(app).importFile(.contracts, path: try temporaryFile(file))
            #expect(outcome8 == .imported(UpsertCounts(new: 1), ignoredColumns: ["estrato"]))
        }
    }
}
