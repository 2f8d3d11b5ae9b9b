/// The terms' failed-delivery rule: a bill that could not be delivered by WhatsApp in period P
/// goes on paper in P+1; after three consecutive failed periods the WhatsApp delivery is
/// deactivated; a delivered bill resets the count.
public struct FailedDeliveryPolicy: Sendable {
    public var periodsBeforeDeactivation = 3

    public init() {}

    public struct Decision: Sendable, Equatable {
        public let consecutiveFailures: Int
        /// The next period's bill goes on paper.
        public let paperNextPeriod: Bool
        /// The enrollment ends now.
        public let deactivate: Bool

        public init(consecutiveFailures: Int, paperNextPeriod: Bool, deactivate: Bool) {
            self.consecutiveFailures = consecutiveFailures
            self.paperNextPeriod = paperNextPeriod
            self.deactivate = deactivate
        }
    }

    /// What follows from this period's outcome.
    public func decide(previousFailures: Int, delivered: Bool) -> Decision {
        if delivered { return Decision(consecutiveFailures: 0, paperNextPeriod: false, deactivate: false) }
        let failures = previousFailures + 1
        return Decision(consecutiveFailures: failures, paperNextPeriod: true, deactivate: failures >= periodsBeforeDeactivation)
    }

    /// The status a delivery ends the period with: sent but never delivered nor read counts as
    /// undeliverable when the period closes.
    public static func closingStatus(_ status: DeliveryStatus) -> (status: DeliveryStatus, cause: DeliveryFailureCause?) {
        switch status {
        case .delivered, .read: (status, nil)
        case .failed: (.failed, nil)
        case .queued, .sent: (.failed, .undeliverable)
        }
    }
}
