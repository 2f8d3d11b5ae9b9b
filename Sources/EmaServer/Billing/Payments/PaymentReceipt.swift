import EmaCore
import Foundation

/// The receipt of an approved payment, as a PDF the customer keeps: what was paid, when, and
/// both references — the bill's (the one printed on it, by which the utility finds the payment)
/// and the transaction's (by which the gateway and the bank find it). The holder is masked: the
/// link is the payment page's, which anyone who paid from that browser can open.
enum PaymentReceipt {
    /// `bills`: what it paid, each bill with its part (one bill, or all of a contract's open ones).
    /// `coupon`: the reference of the coupon it paid, when it paid one.
    static func render(payment: Payment, bills: [(invoice: Invoice, amountCOP: Int64)], contract: Contract, utility: UtilityProfile,
                       coupon: String? = nil) -> [UInt8] {
        var pdf = PDFWriter()
        let top = pdf.letterhead(utility, title: "Comprobante de pago", subtitle: "Pago aprobado")
        let paidAt = payment.settledAt ?? payment.updatedAt
        var rows: [(String, String)] = [
            ("Contrato", contract.contractNumber),
            ("Titular", Masking.name(contract.holderName)),
        ]
        if let coupon { rows.append(("Cupón de pago", coupon)) }
        for (invoice, amount) in bills {
            let period = BillingPeriod(invoice.period)?.displayName ?? invoice.period
            rows.append(("Factura", "N.º \(invoice.invoiceNumber) · \(period)\(bills.count > 1 || coupon != nil ? " · \(Money.format(cop: amount))" : "")"))
            rows.append(("Referencia de pago", BillDocument.paymentReference(contractNumber: contract.contractNumber, period: invoice.period)))
        }
        rows += [
            ("Fecha y hora del pago", SpanishDateTime.format(paidAt)),
            ("Medio de pago", method(payment)),
            ("Número de la transacción", payment.reference),
        ]
        let y = pdf.lines(rows, y: top, valueX: 200) - 10
        pdf.amountBand("Valor pagado", Money.format(cop: payment.amountCOP), y: y)
        pdf.text("El pago quedó aplicado a \(bills.count > 1 ? "las facturas" : "la factura"). Guarda este comprobante; si tienes alguna duda, llámanos", x: 40, y: 120, size: 9)
        pdf.text("a la línea de atención \(utility.phoneLines.first?.number ?? "") con el número de la transacción.", x: 40, y: 106, size: 9)
        return pdf.document(title: "Comprobante de pago \(payment.reference)")
    }

    /// The payment method in words: Wompi's codes (`CARD`, `NEQUI`, `BANCOLOMBIA_TRANSFER`…) as
    /// a customer says them; the sandbox's «PSE · banco» as it is.
    static func method(_ payment: Payment) -> String {
        guard let method = payment.method, !method.isEmpty else { return payment.gateway == "wompi" ? "Wompi" : "PSE" }
        let known = ["CARD": "Tarjeta", "NEQUI": "Nequi", "PSE": "PSE", "BANCOLOMBIA_TRANSFER": "Transferencia Bancolombia",
                     "BANCOLOMBIA_QR": "Código QR Bancolombia", "BANCOLOMBIA_COLLECT": "Corresponsal Bancolombia", "DAVIPLATA": "Daviplata"]
        let head = String(method.split(separator: " ").first ?? "")
        guard let name = known[head] else { return method }
        return method.replacingOccurrences(of: head, with: name)
    }
}
