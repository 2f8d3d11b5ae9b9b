import EmaCore
import Foundation

/// The monthly bill's WhatsApp message as it stands when it leaves: `factura_disponible` with
/// what is still owed, or `factura_pagada` once nothing is (the customer still gets the PDF,
/// and is not asked to pay what they already paid). Both are approved utility templates.
enum BillMessage {
    static let language = "es_CO"
    static let owedTemplate = "factura_disponible"
    static let paidTemplate = "factura_pagada"

    struct Bill {
        let contractNumber: String
        let invoice: UUID
        let period: BillingPeriod
        let amountCOP: Int64
        let paidCOP: Int64
        let dueDate: String
        let delivery: UUID

        /// What is still owed (never below zero: a payment above the bill owes nothing).
        var balanceCOP: Int64 { max(0, amountCOP - paidCOP) }
        var isPaid: Bool { paidCOP > 0 && balanceCOP == 0 }
    }

    /// The PDF as document header; contract and period; the balance and due date, or that it is
    /// paid; the Factura Web button (its suffix is the contract number); the delivery as
    /// callback data, so Billing recognises its statuses.
    static func template(_ bill: Bill, signer: BillLinks.Signer, publicURL: String) -> WhatsAppTemplate {
        var template = WhatsAppTemplate(name: bill.isPaid ? paidTemplate : owedTemplate, language: language)
        template.headerDocument = .init(link: "\(publicURL)/facturas/\(signer.token(for: bill.invoice)).pdf", filename: "factura-\(bill.period).pdf")
        template.bodyParameters = bill.isPaid
            ? [bill.contractNumber, bill.period.displayName]
            : [bill.contractNumber, bill.period.displayName, Money.format(cop: bill.balanceCOP), CivilDate(bill.dueDate)?.displayName ?? bill.dueDate]
        template.urlButtonSuffix = bill.contractNumber
        template.callbackData = DeliveryTracking.callbackData(delivery: bill.delivery)
        return template
    }
}
