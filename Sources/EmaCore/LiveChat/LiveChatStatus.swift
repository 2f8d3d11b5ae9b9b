/// Where a chat with an advisor stands. `rawValue` is what the `live_chats` table stores.
public enum LiveChatStatus: String, Codable, CaseIterable, Sendable {
    case waiting = "en_espera"
    case active = "en_atencion"
    case closed = "cerrado"
    case abandoned = "abandonado"
    /// Left out of hours: a message for the advisors, not a chat.
    case message = "mensaje"

    /// Waiting for an advisor or with one.
    public static let open: [LiveChatStatus] = [.waiting, .active]
}
