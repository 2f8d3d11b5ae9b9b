import Vapor

extension Request {
    /// A public page that browsers and proxies must not keep: it shows a code, a case or a bill.
    /// (Back-office pages get the same header from `StaffAuthMiddleware`.)
    func privatePage(_ view: String, _ context: some Encodable, status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await self.view.render(view, context).encodeResponse(status: status, for: self)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}
