import EmaCore
import Testing

@Suite("Failed-delivery policy")
struct FailedDeliveryPolicyTests {
    @Test("Failures count up, paper follows each, the third deactivates; a delivery resets")
    func decisions() {
        let policy = FailedDeliveryPolicy()
        #expect(policy.decide(previousFailures: 0, delivered: false) == .init(consecutiveFailures: 1, paperNextPeriod: true, deactivate: false))
        #expect(policy.decide(previousFailures: 1, delivered: false) == .init(consecutiveFailures: 2, paperNextPeriod: true, deactivate: false))
        #expect(policy.decide(previousFailures: 2, delivered: false) == .init(consecutiveFailures: 3, paperNextPeriod: true, deactivate: true))
        #expect(policy.decide(previousFailures: 2, delivered: true) == .init(consecutiveFailures: 0, paperNextPeriod: false, deactivate: false))
    }

    @Test("At the close, a bill sent but never delivered counts as undeliverable")
    func closing() {
        #expect(FailedDeliveryPolicy.closingStatus(.sent) == (.failed, .undeliverable))
        #expect(FailedDeliveryPolicy.closingStatus(.queued) == (.failed, .undeliverable))
        #expect(FailedDeliveryPolicy.closingStatus(.read) == (.read, nil))
        #expect(FailedDeliveryPolicy.closingStatus(.failed) == (.failed, nil))
    }
}
