/// Checks that the person enrolling knows the contract's address without showing it to someone
/// who only knows the number: the real address appears masked among two made-up decoys, and
/// the options are the same every time for the same contract (asking again reveals nothing).
public enum AddressChallenge {
    static let streetTypes = ["CL", "CR", "TV", "DG", "CQ", "AV"]

    /// Three options, one of them the real address (masked); returns them and the right id.
    public static func options(for address: String, contractNumber: String) -> (choices: [Choice], rightID: String) {
        let real = Masking.address(address)
        var generator = SeededGenerator(seed: StableHash.fnv1a(contractNumber + "|" + address))
        let parts = address.uppercased().split(separator: " ").map(String.init)
        let realType = parts.first ?? "CL"
        var decoys: [String] = []
        while decoys.count < 2 {
            let type = streetTypes.filter { $0 != realType || decoys.count == 1 }.randomElement(using: &generator) ?? "CR"
            let first = Int.random(in: 1...110, using: &generator)
            let suffix = ["", "", "", "A", "B"].randomElement(using: &generator) ?? ""
            let second = Int.random(in: 1...99, using: &generator)
            let candidate = "\(type) \(first)\(suffix) # \(second)-**"
            if candidate != real, !decoys.contains(candidate) { decoys.append(candidate) }
        }
        var all = [real] + decoys
        all.shuffle(using: &generator)
        let choices = all.enumerated().map { Choice("direccion_\($0.offset + 1)", $0.element) }
        let right = choices.first { $0.title == real }!.id
        return (choices, right)
    }

}

/// SplitMix64: a small deterministic generator for choices that must repeat (and for tests).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
