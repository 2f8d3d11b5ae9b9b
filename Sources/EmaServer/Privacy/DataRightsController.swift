import EmaCore
import Fluent
import Foundation
import Vapor

/// The copy of a holder's data behind the link Ema gives (`/datos-personales/copia/{token}`),
/// as a page to read or print, or as JSON (`?formato=json`).
struct DataRightsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("datos-personales", "copia", ":token", use: copy)
    }

    struct CopyPage: Encodable {
        let title: String
        let utility: UtilityProfile?
        var phone: String?
        var madeAt: String?
        var sections: [HolderCopy.Section] = []
        var message: String?
    }

    @Sendable
    func copy(request: Request) async throws -> Response {
        let service = request.application.dataRightsService()
        guard let copy = try await service.copy(token: request.parameters.get("token") ?? "") else {
            var page = CopyPage(title: "Copia de tus datos personales", utility: request.application.utilityProfile)
            page.message = "Este enlace no existe o ya venció (funciona 7 días). Pídele a Ema una copia nueva: escribe «mis datos personales»."
            return try await request.privatePage("datos-copia", page, status: .notFound)
        }
        if request.query[String.self, at: "formato"] == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let response = Response(status: .ok, body: .init(data: try encoder.encode(copy)))
            response.headers.contentType = .json
            response.headers.cacheControl = .init(noStore: true)
            response.headers.add(name: .contentDisposition, value: "attachment; filename=\"mis-datos.json\"")
            return response
        }
        var page = CopyPage(title: "Copia de tus datos personales", utility: request.application.utilityProfile)
        page.phone = ColombianMobile.display(copy.phone)
        page.madeAt = copy.madeAt.bogotaStamp
        page.sections = copy.sections
        return try await request.privatePage("datos-copia", page)
    }
}
