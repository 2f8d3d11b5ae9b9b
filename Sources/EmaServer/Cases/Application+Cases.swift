import EmaCore
import Fluent
import Foundation
import Vapor

extension Application {
    private struct CaseLimitersKey: StorageKey { typealias Value = CaseLimiters }

    /// Failed public lookups of radicados: per radicado typed (10 an hour) and per client
    /// address (30 every 15 minutes). Both count a wrong code and an unknown radicado alike.
    var caseLimiters: CaseLimiters {
        if let limiters = storage[CaseLimitersKey.self] { return limiters }
        let limiters = CaseLimiters()
        storage[CaseLimitersKey.self] = limiters
        return limiters
    }

    /// The service over this application's database, clock and the utility's municipalities.
    func caseService(database: (any Database)? = nil) -> CaseService {
        var service = CaseService(database: database ?? db, clock: clock)
        service.municipalities = utilityProfile?.municipalities ?? []
        return service
    }
}

struct CaseLimiters: Sendable {
    let perRadicado = RateLimiter(.init(limit: 10, window: 3_600))
    let perClient = RateLimiter(.init(limit: 30, window: 900))

    /// Looks a case up unless this radicado or this client failed too often; counts a failure.
    func lookup(_ service: CaseService, radicado: String, code: String, client: String?) async throws -> PQRCase? {
        let now = service.clock.now()
        let key = Radicado.parse(radicado)?.text ?? String(radicado.prefix(20))
        if let seconds = await perRadicado.retryAfter(key, now: now) { throw PlatformError.rateLimited(retryAfterSeconds: seconds) }
        if let client, let seconds = await perClient.retryAfter(client, now: now) { throw PlatformError.rateLimited(retryAfterSeconds: seconds) }
        let found = try await service.lookup(radicado: radicado, code: code)
        if found == nil {
            await perRadicado.record(key, now: now)
            if let client { await perClient.record(client, now: now) }
        }
        return found
    }
}

extension UtilityProfile {
    /// The municipalities of the utility's offices, in Spanish order.
    var municipalities: [String] {
        Array(Set(offices.map(\.municipality))).sorted { $0.compare($1, locale: Locale(identifier: "es_CO")) == .orderedAscending }
    }
}

extension CaseChannel {
    init(_ channel: EmaCore.Channel) {
        switch channel {
        case .web: self = .web
        case .kiosk: self = .kiosko
        case .whatsapp: self = .whatsapp
        }
    }
}

extension CaseStatusSummary {
    /// What the customer sees: the answer only once it was notified.
    init(_ row: PQRCase) {
        let notified = row.notifiedAt != nil
        self.init(
            radicado: row.radicado, typeTitle: row.typeValue.title,
            // Between the answer and its notification (a moment) the customer still sees it in study.
            statusTitle: notified ? CaseStatus.respondido.publicTitle : CaseStatus.radicado.publicTitle,
            filedOn: CivilDate(row.filedOn)?.displayName ?? row.filedOn,
            dueOn: CivilDate(row.effectiveDue)?.nameWithWeekday ?? row.effectiveDue,
            decision: notified ? row.decisionValue?.title : nil,
            answer: notified ? row.answer : nil,
            answeredOn: notified ? row.answeredOn.flatMap { CivilDate($0)?.displayName } : nil,
            appealUntil: notified ? row.appealUntil.flatMap { CivilDate($0)?.nameWithWeekday } : nil
        )
    }
}
