/// The life of a message Ema sent on WhatsApp: `queued` → `sent` → `delivered` → `read`, or
/// `failed`. Statuses arrive out of order and repeated; they never go backwards, and a
/// `delivered` or `read` wins over a `failed` (a multi-device user can produce both).
public enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    case queued, sent, delivered, read, failed

    var rank: Int {
        switch self {
        case .queued: 0
        case .sent: 1
        case .failed: 2
        case .delivered: 3
        case .read: 4
        }
    }

    /// The status after `incoming` arrives on top of `self`.
    public func merged(with incoming: DeliveryStatus) -> DeliveryStatus {
        incoming.rank > rank ? incoming : self
    }
}
