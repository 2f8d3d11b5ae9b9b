@testable import EmaServer
import Crypto
import Fluent
import Foundation
import Testing

@Suite("Platform keys")
struct PlatformKeyTests {
    struct Rollback: Error {}

    @Test("A key first made inside a transaction that rolls back is not kept: the process uses the one stored")
    func rolledBackKey() async throws {
        try await withEmaApp { app in
            let key = PlatformKey(name: "prueba_reversion")
            var inside: SymmetricKey?
            do {
                try await app.db.writeTransaction { tx -> Void in
                    let made = try await key.value(tx)
                    await MainActor.run { inside = made }
                    throw Rollback()
                }
            } catch is Rollback {}
            let used = try await key.value(app.db)
            let stored = SymmetricKey(data: try await PlatformSecret.value(named: "prueba_reversion", database: app.db))
            #expect(used == stored)
            #expect(inside != nil && inside != stored, "the rolled-back key was a different one")
            // Made inside a transaction that commits, it is kept once the commit is done.
            let committed = PlatformKey(name: "prueba_confirmada")
            let made = try await app.db.writeTransaction { tx in try await committed.value(tx) }
            #expect(try await committed.value(app.db) == made)
        }
    }
}
