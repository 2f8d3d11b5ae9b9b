import EmaCore
import Testing

@Suite("Duplicate finder")
struct DuplicateFinderTests {
    @Test("Never misses a repeat, and the exact second look confirms only true repeats")
    func findsEveryRepeat() {
        let keys = (0..<200_000).map { String(1_000_000 + $0 * 7) }
        let repeats: [(index: Int, of: Int)] = [(50_000, 10), (150_000, 149_999), (199_999, 0)]
        var stream = keys
        for pair in repeats { stream[pair.index] = keys[pair.of] }

        var finder = DuplicateFinder(expectedKeys: stream.count)
        for key in stream { finder.insert(key) }
        for pair in repeats { #expect(finder.candidates.contains(keys[pair.of])) }
        // A Bloom filter of this size has very few false positives.
        #expect(finder.candidates.count < repeats.count + 20)

        var confirmer = DuplicateConfirmer(candidates: finder.candidates)
        var found: [(line: Int, first: Int)] = []
        for (index, key) in stream.enumerated() {
            if let first = confirmer.check(key, line: index + 2) { found.append((index + 2, first)) }
        }
        #expect(found.map(\.line) == [50_002, 150_002, 200_001])
        #expect(found.map(\.first) == [12, 150_001, 2])
    }

    @Test("A first sighting is not a candidate")
    func firstSighting() {
        var finder = DuplicateFinder(expectedKeys: 10)
        #expect(finder.insert("1234") == false)
        #expect(finder.insert("5678") == false)
        #expect(finder.insert("1234") == true)
        #expect(finder.candidates == ["1234"])
    }
}
