import EmaCore
import Fluent
import Vapor

/// `GET /facturas/{token}.pdf`: a bill's PDF behind an unguessable, expiring link.
struct BillController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("facturas", ":file", use: pdf)
    }

    @Sendable
    func pdf(request: Request) async throws -> Response {
        let file = request.parameters.get("file") ?? ""
        guard file.hasSuffix(".pdf") else { throw BillingError.billLinkInvalid }
        let links = BillLinks(database: request.db, clock: request.application.clock)
        guard let target = try await links.target(of: String(file.dropLast(4))),
              let invoice = try await Invoice.query(on: request.db).filter(\.$id == target.invoiceID).with(\.$contract).first(),
              let utility = request.application.utilityProfile
        else { throw BillingError.billLinkInvalid }
        let bytes = try BillDocument.render(invoice: invoice, contract: invoice.contract, utility: utility, masked: target.masked)
        return .pdf(bytes, filename: "factura-\(invoice.period).pdf")
    }
}
