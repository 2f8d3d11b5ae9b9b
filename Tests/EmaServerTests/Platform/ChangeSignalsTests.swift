@testable import EmaServer
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Signals that wake the live pages")
struct ChangeSignalsTests {
    /// On PostgreSQL the listener connects at boot: a signal reaches it once it listens.
    func ready(_ app: Application) async throws {
        try await app.asyncBoot()
        guard !app.usesSQLite else { return }
        let probe = app.changeSignals.subscribe("prueba")
        for _ in 0..<50 {
            await app.changeSignals.signal("prueba", on: app.db)
            if await probe.next(timeout: .milliseconds(200)) { return }
        }
        Issue.record("the LISTEN connection never answered")
    }

    @Test("A signal wakes the pages watching its topic (through LISTEN/NOTIFY on PostgreSQL), not the others; one sent while a page is busy is kept")
    func wakesItsTopic() async throws {
        try await withEmaApp { app in
            try await ready(app)
            let signals = app.changeSignals
            let chat = signals.subscribe("chat:a")
            let other = signals.subscribe("chat:b")
            await signals.signal("chat:a", on: app.db)
            #expect(await chat.next(timeout: .seconds(10)))
            #expect(await other.next(timeout: .milliseconds(500)) == false)
            // Sent before the page waits again: kept for its next wait.
            await signals.signal("chat:b", on: app.db)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await other.next(timeout: .seconds(10)))
            #expect(await chat.next(timeout: .milliseconds(300)) == false)
        }
    }

    @Test("A signal raised in a transaction arrives after its commit, and never after a rollback")
    func afterCommit() async throws {
        try await withEmaApp { app in
            try await ready(app)
            let signals = app.changeSignals
            let watcher = signals.subscribe("chat:c")
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await app.db.writeTransaction { transaction in
                    await signals.signal("chat:c", on: transaction)
                    throw Rollback()
                }
            }
            #expect(await watcher.next(timeout: .seconds(2)) == false)
            try await app.db.writeTransaction { transaction in
                await signals.signal("chat:c", on: transaction)
            }
            #expect(await watcher.next(timeout: .seconds(10)))
        }
    }
}
