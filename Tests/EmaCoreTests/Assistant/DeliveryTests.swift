import EmaCore
import Testing

@Suite("Delivery statuses and failure causes")
struct DeliveryTests {
    @Test("Statuses never go backwards, and delivered or read win over failed")
    func merging() {
        #expect(DeliveryStatus.queued.merged(with: .sent) == .sent)
        #expect(DeliveryStatus.read.merged(with: .delivered) == .read)
        #expect(DeliveryStatus.delivered.merged(with: .sent) == .delivered)
        #expect(DeliveryStatus.sent.merged(with: .failed) == .failed)
        #expect(DeliveryStatus.failed.merged(with: .delivered) == .delivered)
        #expect(DeliveryStatus.delivered.merged(with: .failed) == .delivered)
        #expect(DeliveryStatus.read.merged(with: .failed) == .read)
        #expect(DeliveryStatus.failed.merged(with: .sent) == .failed)
    }

    @Test("Each error code of the spec maps to its cause", arguments: [
        (368, DeliveryFailureCause.operatorRejected), (131_031, .operatorRejected), (130_497, .operatorRejected), (131_048, .operatorRejected),
        (131_049, .operatorRejected), (130_472, .operatorRejected), (131_042, .operatorRejected), (131_047, .operatorRejected),
        (132_015, .operatorRejected), (132_016, .operatorRejected), (131_037, .operatorRejected), (133_010, .operatorRejected),
        (131_050, .numberRejected),
        (131_026, .undeliverable), (131_021, .undeliverable), (131_053, .undeliverable),
        (132_007, .contentRejected), (132_000, .contentRejected), (132_001, .contentRejected), (132_005, .contentRejected),
        (132_012, .contentRejected), (131_051, .contentRejected), (131_008, .contentRejected), (131_009, .contentRejected), (100, .contentRejected),
    ])
    func causes(code: Int, cause: DeliveryFailureCause) {
        #expect(DeliveryFailureCause.from(code: code) == cause)
        #expect(!DeliveryFailureCause.transientCodes.contains(code))
    }

    @Test("Transient codes exhausted count as the operator's refusal; no code at all is undeliverable")
    func transient() {
        for code in DeliveryFailureCause.transientCodes {
            #expect(DeliveryFailureCause.from(code: code) == .operatorRejected)
        }
        #expect(DeliveryFailureCause.from(code: nil) == .undeliverable)
    }
}
