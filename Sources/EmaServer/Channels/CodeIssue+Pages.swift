import EmaCore
import Vapor

/// What a web page says about a verification code it asked for (the personal-data page,
/// payment agreements, prepaid meters, SOMOS cards): one text for each outcome, waits in words.
extension CodeIssue {
    /// No code on its way: the limits or the provider said no (a code sent a moment ago still works).
    var blocks: Bool {
        switch self {
        case .sent, .wait: false
        default: true
        }
    }

    /// The status a page answers with when `blocks`.
    var status: HTTPResponseStatus { self == .unavailable ? .serviceUnavailable : .tooManyRequests }

    /// What the customer reads, or nil when the code was sent. `shownPhone`: the number as the page
    /// may show it (masked when it is a registered number the customer did not type);
    /// `elsewhere`: where else to go when SMS is not available.
    func refusal(shownPhone: String, elsewhere: String) -> String? {
        switch self {
        case .sent: nil
        case .wait(let seconds): "Ya te enviamos un código al \(shownPhone) hace un momento. Revisa tus mensajes de texto; podrás pedir otro en \(SpanishDuration.wait(seconds: seconds))."
        case .hourlyLimit, .deviceLimit: "Por tu seguridad ya enviamos el máximo de códigos en la última hora. Inténtalo de nuevo más tarde."
        case .unavailable: "La verificación por mensaje de texto no está disponible en este momento. \(elsewhere)"
        }
    }
}
