import EmaCore
import Foundation

/// A payment coupon as a PDF to print or show at a bank: the contract (holder masked: a coupon's
/// link is as public as a contract number), the amount and the last day to pay, and the GS1-128
/// barcode Colombian collectors read, with its text under the bars.
enum CouponDocument {
    static func render(coupon: PaymentCoupon, contract: Contract, policy: CouponPolicy, utility: UtilityProfile,
                       kind: (title: String, partial: Bool)) throws -> [UInt8] {
        var pdf = PDFWriter()
        let top = pdf.letterhead(utility, title: "Cupón de pago", subtitle: "Referencia \(coupon.reference)")
        let last = CivilDate(coupon.validUntil)?.displayName ?? coupon.validUntil
        let partial = kind.partial
        var y = pdf.lines([
            ("Contrato", contract.contractNumber),
            ("Titular", Masking.name(contract.holderName)),
            ("Dirección", "\(Masking.address(contract.address)) · \(contract.municipality)"),
            ("Tipo de pago", kind.title),
            ("Pagar hasta", last),
            ("Referencia de pago", coupon.reference),
        ], y: top) - 10
        pdf.amountBand("Valor a pagar", Money.format(cop: coupon.amountCOP), y: y)
        if coupon.paidAt != nil {
            pdf.text("PAGADO. Gracias por tu pago.", x: 56, y: y - 34, size: 11, font: .bold)
        }
        let elements = coupon.barcode(collectorGLN: policy.collectorGLN)
        y -= 130
        pdf.barcode(try GS1128.widths(for: elements), x: 40, y: y, height: 60, module: 1.0)
        pdf.text(GS1128.humanReadable(elements), x: 40, y: y - 16, size: 9)
        var notes = [
            "Paga este cupón en los bancos y puntos de pago autorizados con el código de barras, o en línea en Factura Web.",
            "Después de \(last) no se recibe: genera uno nuevo con tu número de contrato.",
        ]
        if partial {
            notes.append("Es un abono: el saldo que quede sigue pendiente, con la fecha límite de cada factura.")
        }
        notes.append("Líneas de atención: \(utility.phoneLines.first?.number ?? "").")
        pdf.paragraph(notes.joined(separator: "\n"), x: 40, y: 150, columns: 110, size: 9, leading: 13)
        return pdf.document(title: "Cupón de pago \(coupon.reference)")
    }
}
