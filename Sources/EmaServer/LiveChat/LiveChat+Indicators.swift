import EmaCore
import Fluent
import Foundation
import SQLKit

/// What LiveChat tells the indicators (`Insights/IndicatorService`): its chats as facts, and
/// the queue at this instant.
enum LiveChatIndicatorFacts {
    /// Live chats asked for on the days `[from, to)`.
    static func chats(from: String, to: String, on database: any Database) async throws -> [Indicators.ChatFact] {
        struct Row: Decodable {
            let channel: String
            let status: String
            let requested_at: Date
            let taken_at: Date?
            let first_reply_at: Date?
            let resolved: Bool?
        }
        return try await database.sql.raw("""
            SELECT channel, status, requested_at, taken_at, first_reply_at, resolved FROM \(ident: LiveChat.schema)
            WHERE requested_on >= \(bind: from) AND requested_on < \(bind: to)
            """).all(decoding: Row.self).compactMap { row in
            guard let status = LiveChatStatus(rawValue: row.status) else { return nil }
            // Taking a chat greets the customer, so the first answer is the earlier of the two.
            let answered = [row.taken_at, row.first_reply_at].compactMap { $0 }.min()
            return Indicators.ChatFact(channel: row.channel, status: status, requestedAt: row.requested_at, answeredAt: answered, resolved: row.resolved)
        }
    }

    struct Queue: Sendable, Equatable {
        var waiting = 0
        var active = 0
        /// When the customer who has waited longest asked for an advisor.
        var oldestWaiting: Date?
    }

    /// The chats waiting for an advisor and with one, now.
    static func queue(on database: any Database) async throws -> Queue {
        var queue = Queue()
        for row in try await database.sql.raw("""
            SELECT status, COUNT(*) AS total, MIN(requested_at) AS oldest FROM \(ident: LiveChat.schema)
            WHERE status IN (\(binds: LiveChatStatus.open.map(\.rawValue))) GROUP BY status
            """).all() {
            let total = try row.decode(column: "total", as: Int.self)
            switch LiveChatStatus(rawValue: try row.decode(column: "status", as: String.self)) {
            case .waiting:
                queue.waiting = total
                queue.oldestWaiting = try row.decode(column: "oldest", as: Date?.self)
            case .active: queue.active = total
            default: break
            }
        }
        return queue
    }
}
