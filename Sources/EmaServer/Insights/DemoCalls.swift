import EmaCore
import Foundation
import Vapor

/// The demo's contact-centre calls (`EmaCore.SampleCalls`): the three complete months before
/// this one and this month up to now, as if the contact centre had sent its CSV every night.
/// Loading twice changes nothing (the call ids are fixed).
enum DemoCalls {
    /// Calls on an ordinary business day (a utility's contact centre takes thousands; the demo
    /// keeps the charts full and the start quick).
    static let perBusinessDay = 80

    /// Returns how many calls were new.
    static func load(into app: Application) async throws -> Int {
        let now = app.clock.now()
        let today = app.clock.today
        let first = BillingPeriod(containing: today).previous.previous.previous
        var day = CivilDate(year: first.year, month: first.month, day: 1)!
        var batch: [CallRow] = []
        var total = 0
        let calls = PhoneCalls(database: app.db)
        while day <= today {
            let count = SampleCalls.count(on: day, perBusinessDay: perBusinessDay)
            for index in 0..<count {
                let call = SampleCalls.call(day: day, index: index, count: count)
                guard (call.answeredAt ?? call.abandonedAt ?? call.offeredAt) <= now else { continue }
                batch.append(call)
            }
            if batch.count >= 1_000 {
                total += try await calls.upsert(batch).new
                batch.removeAll(keepingCapacity: true)
            }
            day = day.adding(days: 1)
        }
        return total + (try await calls.upsert(batch).new)
    }
}
