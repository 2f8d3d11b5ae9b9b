import EmaCore
import Foundation
import Vapor

/// The parts every PDF the utility hands a customer shares (a bill, a payment's receipt, the
/// answer to a PQR): the letterhead with the utility's names and the document's title, and the
/// «label: value» lines under it.
extension PDFWriter {
    /// The grey letterhead; returns where the body starts.
    mutating func letterhead(_ utility: UtilityProfile, title: String, subtitle: String) -> Double {
        let top = Self.pageHeight
        rectangle(x: 0, y: top - 90, width: Self.pageWidth, height: 90, grey: 0.93)
        text(utility.shortName, x: 40, y: top - 48, size: 24, font: .bold)
        text(utility.legalName, x: 40, y: top - 68, size: 10)
        text(title, x: 330, y: top - 48, size: 14, font: .bold)
        text(subtitle, x: 330, y: top - 66, size: 10)
        return top - 130
    }

    /// Label and value lines from `y` down, 20 points apart; returns where the next goes.
    mutating func lines(_ rows: [(String, String)], y: Double, valueX: Double = 190) -> Double {
        var y = y
        for (label, value) in rows {
            text(label, x: 40, y: y, size: 10, font: .bold)
            text(value, x: valueX, y: y, size: 10)
            y -= 20
        }
        return y
    }

    /// The amount in a grey band («Valor a pagar», «Valor pagado»).
    mutating func amountBand(_ label: String, _ amount: String, y: Double) {
        rectangle(x: 40, y: y - 14, width: 515, height: 40, grey: 0.93)
        text(label, x: 56, y: y, size: 14, font: .bold)
        text(amount, x: 380, y: y, size: 18, font: .bold)
    }
}

extension Response {
    /// A PDF the customer opens (`inline`) or saves (`attachment`), never cached by a shared
    /// cache: bills, receipts, coupons, certificates and answers are personal.
    static func pdf(_ bytes: [UInt8], filename: String, attachment: Bool = false) -> Response {
        let response = Response(status: .ok, body: .init(data: Data(bytes)))
        response.headers.contentType = .pdf
        response.headers.replaceOrAdd(name: .contentDisposition, value: "\(attachment ? "attachment" : "inline"); filename=\"\(filename)\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}
