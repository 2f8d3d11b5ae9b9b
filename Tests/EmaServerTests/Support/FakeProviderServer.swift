import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A local HTTP server that plays an outside provider (Twilio, later Meta and the payment
/// gateway): it records every request and answers what the test scripted, over real HTTP.
final class FakeProviderServer: Sendable {
    struct Recorded: Sendable {
        let method: HTTPMethod
        let path: String
        let headers: HTTPHeaders
        let body: String
    }

    struct Scripted: Sendable {
        let status: HTTPResponseStatus
        let body: String
    }

    private let app: Application
    private let recorded = NIOLockedValueBox<[Recorded]>([])
    private let script = NIOLockedValueBox<[Scripted]>([])
    private let fallback: Scripted
    let baseURL: String

    private init(app: Application, baseURL: String, fallback: Scripted) {
        self.app = app
        self.baseURL = baseURL
        self.fallback = fallback
    }

    /// Starts a server on a free port of 127.0.0.1 that answers `fallback` unless scripted.
    static func start(fallback: Scripted) async throws -> FakeProviderServer {
        let app = try await Application.make(.testing)
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let holder = NIOLockedValueBox<FakeProviderServer?>(nil)
        app.middleware = Middlewares()
        app.routes.defaultMaxBodySize = "1mb"
        let responder: @Sendable (Request) async throws -> Response = { request in
            guard let server = holder.withLockedValue({ $0 }) else { return Response(status: .serviceUnavailable) }
            return server.handle(request)
        }
        for method in [HTTPMethod.GET, .POST, .PUT, .DELETE] {
            app.on(method, "**", body: .collect(maxSize: "1mb"), use: responder)
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError) }
        let server = FakeProviderServer(app: app, baseURL: "http://127.0.0.1:\(port)", fallback: fallback)
        holder.withLockedValue { $0 = server }
        return server
    }

    private func handle(_ request: Request) -> Response {
        let body = request.body.string ?? ""
        recorded.withLockedValue { $0.append(Recorded(method: request.method, path: request.url.path, headers: request.headers, body: body)) }
        let answer = script.withLockedValue { $0.isEmpty ? fallback : $0.removeFirst() }
        let response = Response(status: answer.status, body: .init(string: answer.body))
        response.headers.contentType = .json
        return response
    }

    /// The next answers, in order; after them the fallback.
    func script(_ answers: Scripted...) {
        script.withLockedValue { $0.append(contentsOf: answers) }
    }

    var requests: [Recorded] { recorded.withLockedValue { $0 } }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}

/// Decodes an `application/x-www-form-urlencoded` body.
func formFields(_ body: String) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in body.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
        if parts.count == 2 { fields[parts[0]] = parts[1] }
    }
    return fields
}

/// Runs `body` with a fake provider server, and stops it whatever happens.
func withFakeProvider(fallback: FakeProviderServer.Scripted, _ body: (FakeProviderServer) async throws -> Void) async throws {
    let fake = try await FakeProviderServer.start(fallback: fallback)
    do {
        try await body(fake)
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}
