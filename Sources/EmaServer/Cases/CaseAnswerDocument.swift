import EmaCore
import Foundation
import Vapor

/// The answer to a PQR as a PDF the customer keeps (or takes to the Superservicios with a
/// recurso): the utility, the radicado and its dates, the decision, the whole answer over as
/// many pages as it needs, and until when a recurso may be filed. Given only to whoever has the
/// radicado and its code, through the same limited lookup as the page.
enum CaseAnswerDocument {
    /// `appealable`: the decision may still be contested (not for the answer to a recurso).
    static func render(_ status: CaseStatusSummary, appealable: Bool, utility: UtilityProfile, publicURL: String) -> [UInt8] {
        var pdf = PDFWriter()
        let top = pdf.letterhead(utility, title: "Respuesta a tu solicitud", subtitle: "Radicado \(status.radicado)")
        let rows: [(String, String)] = [
            ("Radicado", status.radicado),
            ("Tipo", status.typeTitle),
            ("Radicada el", status.filedOn),
            ("Respondida el", status.answeredOn ?? "—"),
            ("Decisión", status.decision ?? "—"),
        ]
        var y = pdf.lines(rows, y: top) - 10
        pdf.text("Respuesta", x: 40, y: y, size: 13, font: .bold)
        y = pdf.paragraph(status.answer ?? "", x: 40, y: y - 22)
        if appealable, let until = status.appealUntil {
            y = pdf.paragraph(
                "Si no estás de acuerdo con la decisión, puedes presentar un recurso de reposición, y en subsidio el de apelación ante la Superintendencia de Servicios Públicos Domiciliarios, hasta el \(until), en \(publicURL)/pqr, con Ema o en nuestras oficinas.",
                x: 40, y: y - 14
            )
        }
        pdf.paragraph("Consulta esta respuesta cuando quieras en \(publicURL)/radicado con tu radicado y tu código de consulta. Línea de atención: \(utility.phoneLines.first?.number ?? "").",
                      x: 40, y: y - 14, size: 9, leading: 12)
        return pdf.document(title: "Respuesta al radicado \(status.radicado)")
    }
}

extension PQRWebController {
    /// `POST /radicado/respuesta.pdf` (radicado and code, as the lookup): the answer as a PDF.
    @Sendable
    func answerPDF(request: Request) async throws -> Response {
        try request.refuseFormFromAnotherSite()
        let form = (try? request.content.decode(LookupForm.self)) ?? LookupForm()
        guard let row = try await find(request, form), row.answer != nil else { throw CaseError.caseNotFound }
        let pdf = CaseAnswerDocument.render(CaseStatusSummary(row), appealable: !row.typeValue.isRecurso, utility: try request.utility(), publicURL: request.application.emaConfig.publicURL)
        return .pdf(pdf, filename: "respuesta-\(row.radicado).pdf", attachment: true)
    }
}
