@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("Retention: transcripts and one-time codes are deleted when the policy says")
struct RetentionTests {
    @Test("Old transcripts, messages and codes go; recent ones, a chat an advisor still holds and the bills' outbox stay")
    func purge() async throws {
        let now = bogotaNoon("2026-12-02")
        try await withEmaApp(clock: AppClock.Manual(now).clock) { app in
            let old = now.addingTimeInterval(-181 * 86_400)
            let recent = now.addingTimeInterval(-10 * 86_400)
            for (id, at) in [("viejo", old), ("reciente", recent), ("con-asesor", old)] {
                let row = Conversation()
                row.id = id
                row.channel = "web"
                row.state = "{}"
                row.version = 1
                row.createdAt = at
                row.updatedAt = at
                try await row.create(on: app.db)
            }
            var chats: [LiveChat] = []
            for (conversation, status) in [("con-asesor", "en_atencion"), ("viejo", "cerrado")] {
                let chat = LiveChat()
                chat.conversationID = conversation
                chat.channel = "web"
                chat.status = status
                chat.requestedAt = old
                chat.requestedOn = "2026-06-04"
                try await chat.create(on: app.db)
                chats.append(chat)
            }
            let held = chats[0]
            for chat in chats {
                let line = LiveChatMessage()
                line.chatID = try chat.requireID()
                line.at = old
                line.author = "cliente"
                line.text = "hola"
                try await line.create(on: app.db)
            }
            for (lane, at) in [("conversation", old), ("conversation", recent), ("bulk", old)] {
                let row = WhatsAppOutboxMessage()
                row.recipient = "+573001234567"
                row.body = "{}"
                row.isTemplate = lane == "bulk"
                row.lane = lane
                row.state = "sent"
                row.attempts = 1
                row.createdAt = at
                row.updatedAt = at
                try await row.create(on: app.db)
            }
            for at in [now.addingTimeInterval(-2 * 86_400), now.addingTimeInterval(-3_600)] {
                let code = VerificationCode()
                code.phone = "+573001234567"
                code.codeHash = Data([1])
                code.salt = Data([2])
                code.issuedAt = at
                code.attempts = 0
                code.consumed = false
                try await code.create(on: app.db)
            }

            for at in [old, recent] {
                let inbound = WhatsAppInbound()
                inbound.id = "wamid.\(at.timeIntervalSince1970)"
                inbound.sender = "+573001234567"
                inbound.payload = "{}"
                inbound.sentAt = at.timeIntervalSince1970
                inbound.receivedAt = at
                inbound.state = "done"
                try await inbound.create(on: app.db)
                let sms = SandboxMessage()
                sms.channel = "sms"
                sms.recipient = "+573001234567"
                sms.body = "Tu código es 123456"
                sms.createdAt = at
                try await sms.create(on: app.db)
            }
            // Text messages: their proof is kept a day, whatever the retention terms.
            for (id, at) in [(UUID(), now.addingTimeInterval(-25 * 3_600)), (UUID(), now.addingTimeInterval(-3_600))] {
                try await app.db.sql.insert(into: SMSOutbox.schema)
                    .columns("id", "recipient", "purpose", "sealed", "state", "attempts", "created_at", "updated_at")
                    .values(SQLBind(id), SQLBind("+573001234567"), SQLBind("codigo"), SQLBind(Data([1])), SQLBind("sent"), SQLBind(1), SQLBind(at), SQLBind(at))
                    .run()
            }
            // Phrases Ema did not understand: an old pending one goes; a recent one, and an old one
            // staff taught her, stay.
            try await UnrecognizedPhrases.record("quién ganó el partido", at: old, on: app.db)
            try await UnrecognizedPhrases.record("receta de arepas", at: recent, on: app.db)
            try await UnrecognizedPhrases.record("me expiden un paz y salvo", at: old, on: app.db)
            let taught = try #require(try await UnrecognizedPhrases.phrases(status: .pendiente, on: app.db).first { $0.text == "me expiden un paz y salvo" })
            try await UnrecognizedPhrases.decide([taught.id], status: .intencion, decision: "valor_a_pagar", by: "supervisor@ema.demo", at: old, on: app.db)
            let removed = try await RetentionJob.purge(database: app.db, now: now, conversationDays: 180, codeDays: 1)
            #expect(removed == .init(conversations: 1, whatsAppMessages: 2, chatMessages: 1, sandboxMessages: 1, codes: 1, phrases: 1))
            #expect(Set(try await UnrecognizedPhrases.phrases(status: nil, on: app.db).map(\.text)) == ["receta de arepas", "me expiden un paz y salvo"])
            let left = try await Conversation.query(on: app.db).all().compactMap(\.id).sorted()
            #expect(left == ["con-asesor", "reciente"])
            let lanes = try await WhatsAppOutboxMessage.query(on: app.db).all().map(\.lane).sorted()
            #expect(lanes == ["bulk", "conversation"])
            #expect(try await LiveChatMessage.query(on: app.db).all().map(\.chatID) == [try held.requireID()])
            #expect(try await VerificationCode.query(on: app.db).count() == 1)
            #expect(try await WhatsAppInbound.query(on: app.db).all().map(\.receivedAt) == [recent])
            #expect(try await SandboxMessage.query(on: app.db).all().map(\.createdAt) == [recent])
            let texts = try await app.db.sql.select().column("created_at").from(SMSOutbox.schema).all().map { try $0.decode(column: "created_at", as: Date.self) }
            #expect(texts == [now.addingTimeInterval(-3_600)])
            // A second run finds nothing more.
            #expect(try await RetentionJob.purge(database: app.db, now: now, conversationDays: 180, codeDays: 1) == .init())
        }
    }

    @Test("The retention times come from the environment, within bounds, and the policy page states them")
    func configuration() async throws {
        let config = try AppConfig(environment: ["EMA_RETENTION_CONVERSATION_DAYS": "90", "EMA_RETENTION_CODE_DAYS": "2"])
        #expect(config.retentionConversationDays == 90 && config.retentionCodeDays == 2)
        #expect(try AppConfig(environment: [:]).retentionConversationDays == 180)
        #expect(throws: ConfigError.self) { try AppConfig(environment: ["EMA_RETENTION_CONVERSATION_DAYS": "0"]) }
        try await withEmaApp(configure: { $0.retentionConversationDays = 90 }) { app in
            try await app.testing().test(.GET, "legal/privacidad") { response in
                #expect(response.body.string.contains("90 días") && response.body.string.contains("1 día"))
            }
        }
    }
}
