/// Why a bill did not reach WhatsApp, in the seed's four causes (WhatsApp spec, Part 1).
public enum DeliveryFailureCause: String, Sendable, Codable, CaseIterable {
    case operatorRejected = "operator_rejected"
    case numberRejected = "number_rejected"
    case undeliverable
    case contentRejected = "content_rejected"

    static let operatorCodes: Set<Int> = [368, 131_031, 130_497, 131_048, 131_049, 130_472, 131_042, 131_047, 132_015, 132_016, 131_037, 133_010]
    static let numberCodes: Set<Int> = [131_050]
    static let undeliverableCodes: Set<Int> = [131_026, 131_021, 131_053]
    static let contentCodes: Set<Int> = [132_007, 132_000, 132_001, 132_005, 132_012, 131_051, 131_008, 131_009, 100]
    /// Worth retrying; if they still fail when the retries run out, the operator rejected it.
    public static let transientCodes: Set<Int> = [130_429, 131_056, 80_007, 4, 131_000, 131_016, 2, 133_004, 131_057]

    /// The cause of a Meta error code; unknown codes count as the operator's refusal.
    public static func from(code: Int?) -> DeliveryFailureCause {
        guard let code else { return .undeliverable }
        if numberCodes.contains(code) { return .numberRejected }
        if undeliverableCodes.contains(code) { return .undeliverable }
        if contentCodes.contains(code) { return .contentRejected }
        return .operatorRejected
    }
}
