import Crypto
import EmaCore
import Fluent
import Foundation
import Vapor

/// The bill as a PDF, drawn by Ema: the utility, the contract and its holder, the masked
/// address, the period and dates, the amount, the payment reference and its Code 128 barcode.
enum BillDocument {
    /// The payment reference: the contract (12 digits) and the period (YYYYMM), digits only so
    /// the barcode packs it in code set C.
    static func paymentReference(contractNumber: String, period: String) -> String {
        let contract = String(repeating: "0", count: max(0, 12 - contractNumber.count)) + contractNumber
        return contract + period.filter(\.isNumber)
    }

    /// `masked`: the holder's name as Factura Web shows it, for a link anyone with the contract
    /// number can get; the whole name only in the bill sent to the enrolled number.
    static func render(invoice: Invoice, contract: Contract, utility: UtilityProfile, masked: Bool) throws -> [UInt8] {
        var pdf = PDFWriter()
        var y = pdf.letterhead(utility, title: "Factura de servicios públicos", subtitle: "N.º \(invoice.invoiceNumber)")

        let period = BillingPeriod(invoice.period)?.displayName ?? invoice.period
        let issue = CivilDate(invoice.issueDate)?.displayName ?? invoice.issueDate
        let due = CivilDate(invoice.dueDate)?.displayName ?? invoice.dueDate
        let rows: [(String, String)] = [
            ("Contrato", contract.contractNumber),
            ("Titular", masked ? Masking.name(contract.holderName) : contract.holderName),
            ("Dirección", "\(Masking.address(contract.address)) · \(contract.municipality)"),
            ("Servicios", contract.serviceList.map(\.displayName).joined(separator: ", ")),
            ("Periodo", period),
            ("Fecha de expedición", issue),
            ("Fecha límite de pago", due),
        ]
        y = pdf.lines(rows, y: y) - 10
        pdf.amountBand("Valor a pagar", Money.format(cop: invoice.amountCOP), y: y)
        if invoice.paidCOP >= invoice.amountCOP {
            let when = invoice.paidAt.map { " el \(CivilDate(bogotaAt: $0.timeIntervalSince1970).displayName)" } ?? ""
            pdf.text("PAGADA\(when). Gracias por tu pago.", x: 56, y: y - 34, size: 11, font: .bold)
        }

        let reference = paymentReference(contractNumber: contract.contractNumber, period: invoice.period)
        y -= 120
        pdf.barcode(try Code128.widths(for: reference), x: 40, y: y, height: 60, module: 1.2)
        pdf.text("Referencia de pago: \(reference)", x: 40, y: y - 16, size: 10)
        pdf.text("Paga en línea en Factura Web: el pago se aplica de inmediato. Recibir esta factura por", x: 40, y: 120, size: 9)
        pdf.text("WhatsApp no tiene costo y no reemplaza la factura impresa. Líneas de atención: \(utility.phoneLines.first?.number ?? "").", x: 40, y: 106, size: 9)
        return pdf.document(title: "Factura \(invoice.invoiceNumber)")
    }
}

/// Unguessable, expiring links to a bill's PDF: the invoice id, an expiry and, for links anyone
/// with a contract number can get (Factura Web, Ema), a mark that the PDF shows the holder
/// masked; signed with a key kept in the database (the same on every node, and across
/// restarts). Links without the mark (40 bytes) are the ones sent to the enrolled number.
struct BillLinks {
    let database: any Database
    let clock: AppClock
    /// How long a link sent with a bill works.
    static let lifetime: TimeInterval = 60 * 86_400

    /// What a link opens: the invoice, and whether its PDF masks the holder.
    struct Target: Equatable {
        let invoiceID: UUID
        let masked: Bool
    }

    func token(for invoiceID: UUID, masked: Bool, lifetime: TimeInterval = BillLinks.lifetime) async throws -> String {
        try await signer(lifetime: lifetime).token(for: invoiceID, masked: masked)
    }

    /// Signs many links with one read of the key (the monthly dispatch signs a million).
    struct Signer: Sendable {
        let key: SymmetricKey
        let expiry: UInt64

        func token(for invoiceID: UUID, masked: Bool = false) -> String {
            let body = BillLinks.bytes(invoiceID) + BillLinks.bytes(expiry) + (masked ? [BillLinks.maskedMark] : [])
            let signature = HMAC<SHA256>.authenticationCode(for: body, using: key)
            return BillLinks.base64URL(Data(body + Array(signature.prefix(16))))
        }
    }

    static let maskedMark: UInt8 = 1

    func signer(lifetime: TimeInterval = BillLinks.lifetime) async throws -> Signer {
        Signer(key: try await key(), expiry: UInt64(clock.now().addingTimeInterval(lifetime).timeIntervalSince1970))
    }

    /// What a token opens, or nil when it is forged, damaged or expired.
    func target(of token: String) async throws -> Target? {
        guard let data = Self.data(base64URL: token), data.count == 40 || data.count == 41 else { return nil }
        let bytes = Array(data)
        let bodyLength = bytes.count - 16
        let body = Array(bytes[0..<bodyLength])
        let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: try await key()).prefix(16))
        guard ConstantTime.equals(Array(bytes[bodyLength...]), expected) else { return nil }
        guard bodyLength == 24 || bytes[24] == Self.maskedMark else { return nil }
        let expiry = bytes[16..<24].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard Double(expiry) > clock.now().timeIntervalSince1970 else { return nil }
        let uuid = bytes[0..<16]
        let id = UUID(uuid: (uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
                             uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]))
        return Target(invoiceID: id, masked: bodyLength == 25)
    }

    private func key() async throws -> SymmetricKey {
        SymmetricKey(data: try await PlatformSecret.value(named: "bill_links", database: database))
    }

    static func bytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: String) -> Data? {
        guard text.count <= 80, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
