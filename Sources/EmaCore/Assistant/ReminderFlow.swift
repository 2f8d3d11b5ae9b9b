import Foundation

/// Whether a message asks to stop the payment reminders.
public enum ReminderStop {
    /// Whether `words` (normalized) ask to stop the payment reminders: «no más recordatorios»,
    /// «no quiero recordatorios», «cancelar los recordatorios»… — not «no me llegó el recordatorio».
    public static func asked(_ words: String) -> Bool {
        guard words.contains("recordatorio") else { return false }
        let refusals = ["no mas recordatorio", "no quiero recordatorio", "no quiero mas recordatorio", "no quiero recibir recordatorio",
                        "no me envien recordatorio", "no me manden recordatorio", "no enviar recordatorio", "sin recordatorio"]
        let verbs = ["dejar", "parar", "pare ", "quitar", "quiten", "cancel", "suspend", "desactiv", "elimin", "borr", "detener"]
        return refusals.contains { words.contains($0) } || verbs.contains { words.contains($0) }
    }
}

/// «No más recordatorios»: the number that gets the payment reminders stops them in one message,
/// and keeps its bill on WhatsApp.
extension Turn {
    mutating func stopReminders(effects: any AssistantEffects) async throws {
        guard let phone = knownPhone else {
            say("Los recordatorios de pago llegan por WhatsApp. Para no recibirlos más, escríbeme «no más recordatorios» desde el número donde te llegan.")
            return showMainMenu("¿Te ayudo con algo más?")
        }
        if try await effects.stopReminders(phone: phone) > 0 {
            say("Listo ✅ No te enviaremos más recordatorios de pago a este número. Tu factura te seguirá llegando por WhatsApp cada mes.")
        } else {
            say("Este número no tiene recordatorios de pago activos. Tu factura por WhatsApp sigue igual.")
        }
        showMainMenu("¿Te ayudo con algo más?")
    }
}
