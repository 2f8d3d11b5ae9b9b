import Foundation
import Vapor

/// `GET /openapi.json`: the contract of Ema's JSON interfaces (OpenAPI 3.1), kept in the
/// repository as `Resources/openapi.json` and read once at start. `OpenAPITests` holds the
/// routes and their answers to it, so the document and the handlers cannot drift apart.
struct OpenAPIController: RouteCollection {
    let document: ByteBuffer?

    init(resources: String) {
        document = FileManager.default.contents(atPath: resources + "openapi.json").map { ByteBuffer(data: $0) }
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi.json", use: serve)
    }

    @Sendable
    func serve(request: Request) async throws -> Response {
        guard let document else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(buffer: document))
        response.headers.contentType = .json
        response.headers.cacheControl = .init(noCache: true)
        return response
    }
}
