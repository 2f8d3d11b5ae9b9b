import Vapor

/// Errors of the chat API.
public enum AssistantError: EmaError {
    case sessionNotFound
    case emptyMessage
    case messageTooLong(limit: Int)
    case invalidChannel(String)
    case invalidMessageID
    case busy

    public var status: HTTPResponseStatus {
        switch self {
        case .sessionNotFound: .notFound
        case .emptyMessage, .messageTooLong, .invalidChannel, .invalidMessageID: .badRequest
        case .busy: .conflict
        }
    }

    public var code: String {
        switch self {
        case .sessionNotFound: "session_not_found"
        case .emptyMessage: "empty_message"
        case .messageTooLong: "message_too_long"
        case .invalidChannel: "invalid_channel"
        case .invalidMessageID: "invalid_message_id"
        case .busy: "conversation_busy"
        }
    }

    public var reason: String {
        switch self {
        case .sessionNotFound: "Esta conversación no existe o ya terminó. Empieza una nueva."
        case .emptyMessage: "El mensaje está vacío: escribe algo o elige una de las opciones."
        case .messageTooLong(let limit): "El mensaje es demasiado largo (máximo \(limit) caracteres)."
        case .invalidChannel(let channel): "El canal «\(channel.prefix(20))» no existe; usa web o kiosk."
        case .invalidMessageID: "El identificador del mensaje (messageId) debe tener entre 1 y 64 caracteres."
        case .busy: "Todavía estoy respondiendo tu mensaje anterior. Espera un momento."
        }
    }
}
