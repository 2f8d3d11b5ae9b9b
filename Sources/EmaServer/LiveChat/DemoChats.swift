import EmaCore
import Fluent
import Foundation

/// LiveChat's part of the demo history (`Insights/DemoIndicators`): ended chats with their
/// times and ratings, from a key and a stable hash, with ids from the key so loading again
/// finds them.
enum DemoChats {
    /// The chats of `keys` (key, when asked for) not loaded yet; the rated ones score one of `scores`.
    static func history(_ keys: [(key: String, requestedAt: Date)], now: Date?, scores: [Int], on database: any Database) async throws -> [LiveChat] {
        let existing = Set(try await LiveChat.query(on: database).filter(\.$conversationID >= "demo-").filter(\.$conversationID < "demo.").all().map(\.conversationID))
        return keys.map { chat(key: $0.key, requestedAt: $0.requestedAt, now: now, scores: scores) }.filter { !existing.contains($0.conversationID) }
    }

    /// A chat with an advisor, ended: answered in 8 s to 2 min, then closed solved or not (by
    /// the advisor, or by the customer); one in ten abandoned before anyone took it. Most of the
    /// closed ones are rated. Ids come from the key, so loading again finds them.
    static func chat(key: String, requestedAt: Date, now: Date?, scores: [Int]) -> LiveChat {
        let h = StableHash.fnv1a("chat|\(key)")
        let chat = LiveChat()
        let high = StableHash.fnv1a("id-a|\(key)"), low = StableHash.fnv1a("id-b|\(key)")
        chat.id = UUID(uuid: withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { bytes in
            let b = Array(bytes)
            return (b[0], b[1], b[2], b[3], b[4], b[5], 0x40 | (b[6] & 0x0f), b[7], 0x80 | (b[8] & 0x3f), b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        })
        chat.conversationID = "demo-" + key
        chat.channel = ["web", "web", "whatsapp", "kiosk"][Int((h >> 4) % 4)]
        chat.requestedAt = requestedAt
        chat.requestedOn = CivilDate(bogotaAt: requestedAt.timeIntervalSince1970).description
        if h % 10 == 0 {
            chat.status = LiveChat.Status.abandoned.rawValue
            chat.closedAt = requestedAt.addingTimeInterval(Double(70 + (h >> 8) % 120))
            chat.closedBy = "cliente"
            return chat
        }
        let taken = requestedAt.addingTimeInterval(Double(8 + (h >> 8) % 112))
        chat.status = LiveChat.Status.closed.rawValue
        chat.takenAt = taken
        chat.takenBy = "agente@ema.demo"
        chat.takenName = "Andrea Agente"
        chat.firstReplyAt = taken.addingTimeInterval(Double(20 + (h >> 16) % 60))
        chat.closedAt = taken.addingTimeInterval(Double(240 + (h >> 24) % 600))
        if h % 10 == 1 {
            chat.closedBy = "cliente"
        } else {
            chat.closedBy = "agente@ema.demo"
            chat.resolved = (h >> 32) % 5 != 0
        }
        if let closed = chat.closedAt, (h >> 40) % 4 != 0, closed.addingTimeInterval(60) <= (now ?? .distantFuture) {
            chat.rating = scores[Int((h >> 44) % UInt64(scores.count))]
            chat.ratedAt = closed.addingTimeInterval(60)
        }
        return chat
    }

    static func save(_ chats: [LiveChat], on database: any Database) async throws {
        for row in chats { try await row.create(on: database) }
    }
}
