@testable import EmaServer
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Admin API")
struct AdminAPITests {
    static let token = "prueba-admin-0123456789"

    func withAdminApp(_ body: (Application) async throws -> Void) async throws {
        try await withEmaApp(configure: { $0.adminToken = Secret(Self.token) }) { app in
            _ = try await DemoData.load(into: app)
            try await body(app)
        }
    }

    func errorCode(_ response: TestingHTTPResponse) -> String? {
        (try? response.content.decode(ErrorMiddleware.Body.self))?.code
    }

    @Test("Without a token the answer is 401 with a stable code")
    func noToken() async throws {
        try await withAdminApp { app in
            try await app.testing().test(.GET, "api/v1/admin/contracts/10234567") { response in
                #expect(response.status == .unauthorized)
                #expect(errorCode(response) == "missing_token")
                #expect(response.headers.first(name: "WWW-Authenticate") == "Bearer")
            }
        }
    }

    @Test("A wrong token is refused, even one that shares a prefix")
    func wrongToken() async throws {
        try await withAdminApp { app in
            for wrong in ["otro", Self.token + "x", String(Self.token.dropLast())] {
                try await app.testing().test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer \(wrong)"]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(errorCode(response) == "invalid_token")
                }
            }
        }
    }

    @Test("The right token returns the contract in the documented shape")
    func rightToken() async throws {
        try await withAdminApp { app in
            try await app.testing().test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.status == .ok)
                let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
                #expect(json["contractNumber"] as? String == "10234567")
                #expect(json["segment"] as? String == "hogares")
                #expect(json["municipality"] as? String == "Medellín")
                #expect(json["paperInvoice"] as? Bool == false)
                #expect((json["enrollments"] as? [Any])?.isEmpty == true)
                // Operators see the contract, not the holder's personal data.
                #expect(json["holderName"] == nil)
                #expect(json["address"] == nil)
            }
        }
    }

    @Test("A contract that does not exist is 404 contract_not_found", arguments: ["99999999", "12", "abc"])
    func absent(number: String) async throws {
        try await withAdminApp { app in
            try await app.testing().test(.GET, "api/v1/admin/contracts/\(number)", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.status == .notFound)
                #expect(errorCode(response) == "contract_not_found")
                #expect(response.headers.contentType == .json)
            }
        }
    }

    @Test("Without EMA_ADMIN_TOKEN the admin API is closed")
    func closed() async throws {
        try await withEmaApp { app in
            try await app.testing().test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer cualquiera"]) { response in
                #expect(response.status == .forbidden)
                #expect(errorCode(response) == "admin_api_closed")
            }
        }
    }

    @Test("After ten wrong tokens the address must wait, even with the right one")
    func rateLimited() async throws {
        try await withAdminApp { app in
            let tester = try app.testing(method: .running(port: 0))
            for _ in 0..<10 {
                try await tester.test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer malo"]) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            try await tester.test(.GET, "api/v1/admin/contracts/10234567", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(errorCode(response) == "rate_limited")
                #expect(Int(response.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
            }
        }
    }

    @Test("Unknown API paths answer JSON 404, pages answer Spanish HTML")
    func unknownPaths() async throws {
        try await withEmaApp { app in
            try await app.testing().test(.GET, "api/v1/no-existe") { response in
                #expect(response.status == .notFound)
                #expect(errorCode(response) == "not_found")
            }
            try await app.testing().test(.GET, "no-existe") { response in
                #expect(response.status == .notFound)
                #expect(response.headers.contentType?.subType == "html")
                #expect(response.body.string.contains("No encontramos lo que buscas"))
                #expect(response.body.string.contains("lang=\"es-CO\""))
            }
        }
    }
}
