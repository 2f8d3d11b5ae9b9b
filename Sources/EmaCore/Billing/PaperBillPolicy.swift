/// How a contract gets its bill outside Ema, as the billing system says (`bill_channels` in
/// `contracts.csv`): printed and delivered to the service address, or by e-mail.
public enum BillChannel: String, CaseIterable, Sendable, Codable {
    case impresa
    case correo

    /// «impresa en la dirección del servicio», for a sentence.
    public var phrase: String {
        switch self {
        case .impresa: "impresa en la dirección del servicio"
        case .correo: "por correo electrónico"
        }
    }

    /// Storage form: `;`-separated, in declaration order.
    public static func encode(_ channels: some Sequence<BillChannel>) -> String {
        let set = Set(channels)
        return allCases.filter(set.contains).map(\.rawValue).joined(separator: ";")
    }

    /// Reads the storage form back; unknown names are ignored.
    public static func decode(_ text: String) -> [BillChannel] {
        let names = Set(text.split(separator: ";").map(String.init))
        return allCases.filter { names.contains($0.rawValue) }
    }
}

/// The paper bill as the terms say (seed 000, rules 1.4/1.5 and 2.4/2.5): enrolling on WhatsApp
/// keeps the bill on the channels the customer already had, and does not replace the paper bill
/// to the service address; a failed WhatsApp delivery sends it on paper the next period. A
/// utility whose terms say otherwise sets `paperBill.keepWithWhatsApp` to false in
/// `Resources/utility.json` (then an enrolled contract's paper stops, failed deliveries aside).
public struct PaperBillPolicy: Sendable, Codable, Equatable {
    /// Whether a contract enrolled on WhatsApp keeps its paper bill (the terms' default: yes).
    public var keepWithWhatsApp: Bool

    public init(keepWithWhatsApp: Bool = true) {
        self.keepWithWhatsApp = keepWithWhatsApp
    }

    /// Why a contract is on the printing house's list, with a stable code for its CSV.
    public enum Reason: String, Sendable, CaseIterable {
        /// Paper is its usual channel, and it is not enrolled on WhatsApp.
        case usualChannel = "canal_habitual"
        /// Paper is its usual channel and it is enrolled on WhatsApp: the terms keep the paper.
        case keptWithWhatsApp = "canal_habitual_con_whatsapp"
        /// The last period's WhatsApp delivery failed.
        case failedDelivery = "entrega_fallida"

        public var title: String {
            switch self {
            case .usualChannel: "su canal habitual es la factura impresa"
            case .keptWithWhatsApp: "factura impresa habitual; inscrita a WhatsApp, que no la reemplaza"
            case .failedDelivery: "no se pudo entregar por WhatsApp el periodo anterior"
            }
        }
    }

    /// Why the contract gets paper this period (empty: it does not). `enrolled`: it has an
    /// active WhatsApp enrollment; `failedDelivery`: its last period's delivery failed.
    public func reasons(channels: [BillChannel], enrolled: Bool, failedDelivery: Bool) -> [Reason] {
        var reasons: [Reason] = []
        if channels.contains(.impresa) {
            if !enrolled { reasons.append(.usualChannel) } else if keepWithWhatsApp { reasons.append(.keptWithWhatsApp) }
        }
        if failedDelivery { reasons.append(.failedDelivery) }
        return reasons
    }

    /// The channels a contract keeps besides WhatsApp once enrolled.
    public func kept(_ channels: [BillChannel]) -> [BillChannel] {
        keepWithWhatsApp ? channels : channels.filter { $0 != .impresa }
    }

    /// What the customer keeps receiving, in a sentence: «También te seguirá llegando impresa
    /// en la dirección del servicio y por correo electrónico.»; nil when nothing.
    public static func keepsSentence(_ channels: [BillChannel]) -> String? {
        guard !channels.isEmpty else { return nil }
        let phrases = channels.map(\.phrase)
        let list = phrases.count == 1 ? phrases[0] : phrases.dropLast().joined(separator: ", ") + " y " + phrases.last!
        return "te seguirá llegando " + list
    }
}
