import EmaCore
import Foundation
import Testing

@Suite("Conversation engine: stopping the payment reminders")
struct ReminderFlowTests {
    @Test("On WhatsApp «no más recordatorios» stops them for the sender and says the bill keeps coming; a second time says there were none")
    func stop() async throws {
        var chat = Conversation(channel: .whatsapp, senderPhone: "+573001112233")
        try await chat.pick("consentimiento_si")
        await chat.effects.preEnroll("+573001112233", ["10234567"])
        try await chat.say("No más recordatorios por favor")
        #expect(await chat.effects.remindersStopped == ["+573001112233"])
        #expect(chat.text.contains("No te enviaremos más recordatorios de pago") && chat.text.contains("Tu factura te seguirá llegando por WhatsApp"))
        try await chat.say("quiero cancelar los recordatorios")
        #expect(chat.text.contains("no tiene recordatorios de pago activos"))
    }

    @Test("On the web, without the number, Ema says where to stop them; «no me llegó el recordatorio» stops nothing")
    func webAndNotAStop() async throws {
        var web = Conversation(channel: .web)
        try await web.pick("consentimiento_si")
        try await web.say("no quiero recibir recordatorios")
        let stopped = await web.effects.remindersStopped
        #expect(web.text.contains("desde el número donde te llegan") && stopped.isEmpty)
        #expect(!ReminderStop.asked(TextNormalizer.normalize("No me llegó el recordatorio de pago")))
        #expect(ReminderStop.asked(TextNormalizer.normalize("No más recordatorios")) && ReminderStop.asked(TextNormalizer.normalize("desactivar el recordatorio")))
    }
}
