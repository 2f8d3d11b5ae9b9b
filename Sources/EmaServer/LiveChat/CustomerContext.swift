import Fluent
import Foundation
import Vapor

/// What the utility already knows of the customer an advisor is chatting with, shown beside the
/// conversation so the advisor does not ask for it again. Each capability that keeps something
/// about a number supplies its part (`CustomerContextSource`, registered at configuration);
/// LiveChat only lists them, as Privacy lists `HolderRecords`.
struct CustomerContextSection: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        let label: String
        let detail: String
        /// A back-office page with more, when there is one.
        let link: String?
    }

    let title: String
    let items: [Item]
}

protocol CustomerContextSource: Sendable {
    /// This capability's part for a verified number, or nil when it has nothing.
    func section(for phone: String, on database: any Database) async throws -> CustomerContextSection?
}

extension Application {
    private struct CustomerContextKey: StorageKey { typealias Value = [any CustomerContextSource] }

    /// The sources of the advisor's customer card, registered at configuration.
    var customerContextSources: [any CustomerContextSource] {
        get { storage[CustomerContextKey.self] ?? [] }
        set { storage[CustomerContextKey.self] = newValue }
    }

    /// Every section for a number, in the order the sources were registered.
    func customerContext(for phone: String) async throws -> [CustomerContextSection] {
        var sections: [CustomerContextSection] = []
        for source in customerContextSources {
            if let section = try await source.section(for: phone, on: db) { sections.append(section) }
        }
        return sections
    }
}
