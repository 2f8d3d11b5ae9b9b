@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("The printing house's list: every contract that gets paper, and why")
struct PaperListTests {
    static let contracts = """
        contract_number,holder_name,address,municipality,segment,services,status,bill_channels
        1001,Ana Gómez,CL 1 2 3,Medellín,hogares,energia,activo,impresa
        1002,Luis Pérez,CL 4 5 6,Bello,hogares,energia,activo,correo
        1003,Rosa Díaz,CL 7 8 9,Itagüí,hogares,agua,activo,impresa;correo
        1004,Pedro Ruiz,CL 10 11 12,Envigado,empresas,gas,inactivo,impresa
        1005,Marta Ríos,CL 13 14 15,Sabaneta,hogares,energia,activo,
        1006,Juan Mora,CL 16 17 18,Medellín,hogares,energia,activo,correo

        """

    func load(_ app: Application) async throws {
        let file = try temporaryFile(Self.contracts, name: "contracts.csv")
        #expect(try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.contracts, path: file) == .imported(.init(new: 6), ignoredColumns: []))
        let service = EnrollmentService(database: app.db, clock: app.clock)
        for (phone, contract) in [("+573001110001", "1001"), ("+573001110006", "1006")] {
            #expect(try await service.enroll(EnrollmentRequest(phone: phone, contractNumber: contract, holderName: "Titular", channel: .whatsapp)) == .enrolled)
        }
        // 1006's November delivery failed: its December bill goes on paper.
        let failed = PaperBill()
        failed.$contract.id = try #require(try await Contract.query(on: app.db).filter(\.$contractNumber == "1006").first()).requireID()
        failed.period = "2026-12"
        failed.reason = "sin entrega por WhatsApp en 2026-11"
        failed.createdAt = Date()
        try await failed.create(on: app.db)
    }

    func codes(_ csv: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            result[String(fields[0])] = String(fields.last!)
        }
        return result
    }

    @Test("Paper goes on as the terms say: usual channel, enrolled or not; e-mail and inactive contracts stay out; a failed delivery says so")
    func asTheTermsSay() async throws {
        try await withEmaApp { app in
            try await load(app)
            let (csv, count) = try await app.paperList().csv(period: BillingPeriod("2026-12")!)
            #expect(csv.hasPrefix(PaperList.header))
            #expect(codes(csv) == ["1001": "canal_habitual_con_whatsapp", "1003": "canal_habitual", "1005": "canal_habitual", "1006": "entrega_fallida"])
            #expect(count == 4)
            #expect(csv.contains("1006,Juan Mora,CL 16 17 18,Medellín,hogares,2026-12,sin entrega por WhatsApp en 2026-11,entrega_fallida\n"))
            // Read a page at a time, the list is the same.
            var paged = app.paperList()
            paged.pageSize = 2
            #expect(try await paged.csv(period: BillingPeriod("2026-12")!).csv == csv)
            // A utility whose terms let WhatsApp replace the paper: the enrolled 1001 leaves the list.
            app.utilityProfile?.paperBill = PaperBillPolicy(keepWithWhatsApp: false)
            #expect(codes(try await app.paperList().csv(period: BillingPeriod("2026-12")!).csv) == ["1003": "canal_habitual", "1005": "canal_habitual", "1006": "entrega_fallida"])
        }
    }

    @Test("The operators' contract API says the channels and why the next bill goes on paper; a new import changes the channels")
    func adminAPI() async throws {
        try await withEmaApp(configure: { $0.adminToken = Secret("token-admin-papel") }) { app in
            try await load(app)
            struct Shown: Decodable { let paperInvoice: Bool; let billChannels: [String]; let paperReasons: [String] }
            func show(_ number: String) async throws -> Shown? {
                var shown: Shown?
                try await app.testing().test(.GET, "api/v1/admin/contracts/\(number)", headers: ["Authorization": "Bearer token-admin-papel"]) { response in
                    shown = try? response.content.decode(Shown.self)
                }
                return shown
            }
            let first = try #require(try await show("1001"))
            #expect(first.billChannels == ["impresa"] && first.paperReasons == ["canal_habitual_con_whatsapp"] && !first.paperInvoice)
            #expect(try await show("1002")?.paperReasons == [])
            #expect(try await show("1004")?.paperReasons == [])
            let moved = try temporaryFile("contract_number,holder_name,address,municipality,segment,services,bill_channels\n1001,Ana Gómez,CL 1 2 3,Medellín,hogares,energia,correo\n", name: "contracts.csv")
            _ = try await CSVFileImporter(database: app.db, clock: app.clock).importFile(.contracts, path: moved)
            let after = try #require(try await show("1001"))
            #expect(after.billChannels == ["correo"] && after.paperReasons.isEmpty)
        }
    }
}
