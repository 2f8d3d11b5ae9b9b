@testable import EmaServer
import EmaCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Payment reminders: three days before the due date, 7:00–20:00, once per bill, never for a paid one, stopped in one message")
struct ReminderTests {
    /// 20 December 2026 at `hour` in Bogotá: the December bills (due the 23rd) are reminded today.
    static func at(_ hour: Int, _ minute: Int = 0, day: Int = 20) -> Date {
        bogota(hour, minute, on: "2026-12-\(day)")
    }

    /// Demo data and three enrollments (two numbers); their December bills, unpaid.
    func prepare(_ app: Application) async throws -> [Invoice] {
        _ = try await DispatchTests().prepare(app)
        var bills: [Invoice] = []
        for enrollment in try await Enrollment.query(on: app.db).filter(\.$status == "active").with(\.$contract).all()
            .sorted(by: { $0.contract.contractNumber < $1.contract.contractNumber }) {
            let bill = try #require(try await Invoice.query(on: app.db).filter(\.$contract.$id == enrollment.contract.requireID())
                .filter(\.$period == "2026-12").first())
            bill.paidCOP = 0
            bill.paidAt = nil
            try await bill.save(on: app.db)
            bills.append(bill)
        }
        return bills
    }

    func sent(_ app: Application) async throws -> [String] {
        try await drainJobs(app)
        return try await SandboxMessage.query(on: app.db).filter(\.$channel == "whatsapp").sort(\.$createdAt).all().map(\.body)
            .filter { $0.contains("recordatorio_pago") }
    }

    func statuses(_ app: Application) async throws -> [String] {
        try await app.db.sql.raw("SELECT status FROM payment_reminders ORDER BY status").all().map { try $0.decode(column: "status", as: String.self) }
    }

    func withReminders(at date: Date, _ body: (Application, AppClock.Manual) async throws -> Void) async throws {
        let manual = AppClock.Manual(date)
        try await withEmaApp(clock: manual.clock, configure: { $0.whatsApp.appSecret = Secret(WhatsAppWebhookTests.secret) }) { app in
            try await body(app, manual)
        }
    }

    @Test("At 10:00 each enrolled number gets recordatorio_pago with contract, balance, due date and the pay button; a second run sends nothing")
    func once() async throws {
        try await withReminders(at: Self.at(10)) { app, _ in
            let bills = try await prepare(app)
            let first = try await app.reminderService().run()
            #expect(first == .init(planned: 3, queued: 3))
            #expect(try await app.reminderService().run() == .init(planned: 0, queued: 0))
            let messages = try await sent(app)
            #expect(messages.count == 3)
            let contract = try #require(try await Contract.find(bills[0].$contract.id, on: app.db)).contractNumber
            let mine = try #require(messages.first { $0.contains(contract) })
            #expect(mine.contains(Money.format(cop: bills[0].amountCOP)) && mine.contains("23 de diciembre de 2026") && mine.contains("recordatorio:"))
            // The pay button's suffix is the contract (Factura Web's page of it).
            #expect(mine.contains(#""sub_type":"url""#) && mine.contains(#"[{"text":"\#(contract)","type":"text"}]"#))
            #expect(try await statuses(app) == ["sent", "sent", "sent"])
            _ = try await app.reminderService().run()
            #expect(try await sent(app).count == 3, "once per bill")
        }
    }

    @Test("A bill paid before the run gets no reminder; one paid after it was queued is withdrawn before it leaves")
    func neverForAPaidBill() async throws {
        try await withReminders(at: Self.at(10)) { app, _ in
            let bills = try await prepare(app)
            bills[0].paidCOP = bills[0].amountCOP
            try await bills[0].save(on: app.db)
            #expect(try await app.reminderService().run() == .init(planned: 2, queued: 2))
            bills[1].paidCOP = bills[1].amountCOP
            try await bills[1].save(on: app.db)
            #expect(try await sent(app).count == 1)
            #expect(try await statuses(app) == ["sent", "skipped"])
            #expect(try await WhatsAppOutboxMessage.query(on: app.db).filter(\.$lane == "bulk").count() == 1, "the withdrawn message is gone")
        }
    }

    @Test("Never outside 7:00–20:00: at 21:00 they wait; one caught at 20:00 in the lane goes back to wait; the next morning they leave")
    func window() async throws {
        try await withReminders(at: Self.at(21)) { app, manual in
            _ = try await prepare(app)
            #expect(try await app.reminderService().run() == .init(planned: 3, queued: 0))
            #expect(try await sent(app).isEmpty)
            // 19:59 the next day: queued; the senders run at 20:01, so they go back to wait.
            manual.advance(by: 22 * 3_600 + 59 * 60)
            #expect(try await app.reminderService().run().queued == 3)
            manual.advance(by: 2 * 60)
            #expect(try await sent(app).isEmpty)
            #expect(try await statuses(app) == ["waiting", "waiting", "waiting"])
            manual.advance(by: 11 * 3_600)
            #expect(ReminderService.window.isOpen(at: manual.now))
            #expect(try await app.reminderService().run().queued == 3)
            #expect(try await sent(app).count == 3)
            // After the due date nothing waiting goes.
            #expect(try await statuses(app) == ["sent", "sent", "sent"])
        }
    }

    @Test("«No más recordatorios» from a number stops its reminders and keeps its bill on WhatsApp; tomorrow's are planned, not sent")
    func stopAndTomorrow() async throws {
        try await withReminders(at: Self.at(10)) { app, _ in
            let bills = try await prepare(app)
            let changed = try await app.assistantEffects(client: "+573001234567").stopReminders(phone: "+573001234567")
            #expect(changed == 2)
            #expect(try await app.assistantEffects(client: "+573001234567").stopReminders(phone: "+573001234567") == 0)
            #expect(try await Enrollment.query(on: app.db).filter(\.$phone == "+573001234567").filter(\.$status == "active").count() == 2)
            #expect(try await app.reminderService().run() == .init(planned: 1, queued: 1))
            #expect(try await sent(app).count == 1)
            // Bills due on the 24th are planned today and wait for tomorrow.
            bills[2].dueDate = "2026-12-24"
            bills[2].paidCOP = 0
            try await bills[2].save(on: app.db)
            try await app.db.sql.raw("DELETE FROM payment_reminders").run()
            #expect(try await app.reminderService().run() == .init(planned: 1, queued: 0))
            #expect(try await app.reminderService().report(dueDate: CivilDate("2026-12-24")!) == [.waiting: 1])
        }
    }

    @Test("The dispatch page shows the reminders by due date and status; a supervisor prepares those of a coming date, which wait for their day")
    func backOffice() async throws {
        try await withReminders(at: Self.at(10, day: 12)) { app, _ in
            try await app.staffService().loadDemoAccounts()
            _ = try await prepare(app)
            let office = try OfficeBrowser(app)
            try await office.signIn("supervisor@ema.demo", "supervisor-demo-2026")
            let empty = try await office.get("backoffice/envios").body
            #expect(empty.contains("Se envían 3 días antes de la fecha límite") && empty.contains("No hay recordatorios"))
            let past = try await office.post("backoffice/envios/recordatorios", ["csrf": office.csrf, "vence": "2026-12-01"])
            #expect(past.location.contains("aviso=recordatorios"))
            let planned = try await office.post("backoffice/envios/recordatorios", ["csrf": office.csrf, "vence": "2026-12-23"])
            #expect(planned.location.contains("recordatorios-listos"))
            let page = try await office.get("backoffice/envios").body
            #expect(page.contains("23 de diciembre de 2026") && page.contains("Esperando el horario de envío: 3"))
            // On the 12th they are 11 days early: the run leaves them waiting.
            #expect(try await app.reminderService().run().queued == 0)
            #expect(try await sent(app).isEmpty)
            let agent = try OfficeBrowser(app)
            try await agent.signIn("agente@ema.demo", "agente-demo-2026")
            _ = try await agent.get("backoffice")
            #expect(!agent.csrf.isEmpty)
            #expect(try await agent.post("backoffice/envios/recordatorios", ["csrf": agent.csrf, "vence": "2026-12-23"]).status == .forbidden)
        }
    }
}
