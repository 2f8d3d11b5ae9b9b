import Leaf
import LeafKit

/// `#tel("604 4444 115")` → `tel:6044444115`: a number on a page a phone dials with a tap (a
/// `#` short code escaped).
struct TelTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        try ctx.requireParameterCount(1)
        guard let number = ctx.parameters[0].string else { throw LeafError(.unknownError("#tel(): el número debe ser texto")) }
        return .string(Self.uri(number))
    }

    static func uri(_ number: String) -> String {
        "tel:" + number.filter { $0.isNumber || $0 == "+" || $0 == "#" }.replacingOccurrences(of: "#", with: "%23")
    }
}

/// `#whatsapp("+573023000115")` → `https://wa.me/573023000115`: opens a chat with the line.
struct WhatsAppLinkTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        try ctx.requireParameterCount(1)
        guard let number = ctx.parameters[0].string else { throw LeafError(.unknownError("#whatsapp(): el número debe ser texto")) }
        return .string("https://wa.me/" + number.filter(\.isNumber))
    }
}
