import EmaCore
import Fluent
import Foundation
import Vapor

extension Application {
    /// The public lookup of radicados under its limits.
    var caseLookups: CaseLookups {
        CaseLookups(limits: rateLimits)
    }

    /// The service over this application's database, clock and the utility's municipalities.
    func caseService(database: (any Database)? = nil) -> CaseService {
        var service = CaseService(database: database ?? db, clock: clock)
        service.municipalities = utilityProfile?.municipalities ?? []
        service.suggestionAreas = utilityProfile?.suggestionAreas ?? []
        return service
    }
}

/// The public lookup of a radicado with its access code. Failures (a wrong code and an unknown
/// radicado alike) count per client address (30 every 15 minutes) and per radicado and address
/// (10 an hour). Never per radicado alone: radicados are sequential, so anyone could lock every
/// case, its owner included; an owner at another address is never held back by a guesser.
struct CaseLookups: Sendable {
    static let failuresPerAddress = RateLimit("radicado.fallos.direccion", limit: 30, window: 900)
    static let failuresPerCase = RateLimit("radicado.fallos.radicado_direccion", limit: 10, window: 3_600)

    let limits: RateLimiter

    /// Looks a case up unless this client failed too often. The try is counted before the
    /// lookup and given back when it finds the case, so only failures remain counted.
    func lookup(_ service: CaseService, radicado: String, code: String, client: String) async throws -> PQRCase? {
        let pair = "\(Radicado.parse(radicado)?.text ?? String(radicado.prefix(20)))|\(client)"
        let attempt = try await limits.attempt([(Self.failuresPerAddress, client), (Self.failuresPerCase, pair)])
        let found = try await service.lookup(radicado: radicado, code: code)
        if found != nil { try await attempt.succeeded() }
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

/// What the customer may see of a case, computed once for every channel: the lookup page,
/// `POST /api/v1/pqr/consulta` and Ema. The answer shows only once it was notified; between the
/// answer and its notification (a moment) the case is still in study.
struct CustomerCaseView {
    let row: PQRCase

    var notified: Bool { row.notifiedAt != nil }
    var status: CaseStatus { notified ? .respondido : (row.statusValue.isOpen ? row.statusValue : .enTramite) }
    /// The decision's code (`accede`, …), once notified.
    var decision: String? { notified ? row.decision : nil }
    var answer: String? { notified ? row.answer : nil }
    /// Civil dates, `YYYY-MM-DD`.
    var answeredOn: String? { notified ? row.answeredOn : nil }
    var appealUntil: String? { notified ? row.appealUntil : nil }
}

extension CaseStatusSummary {
    /// The customer's view in words.
    init(_ row: PQRCase) {
        let view = CustomerCaseView(row: row)
        self.init(
            radicado: row.radicado, typeTitle: row.typeTitle, statusTitle: view.status.publicTitle,
            filedOn: CivilDate(row.filedOn)?.displayName ?? row.filedOn,
            dueOn: CivilDate(row.effectiveDue)?.nameWithWeekday ?? row.effectiveDue,
            decision: view.notified ? row.decisionValue?.title : nil,
            answer: view.answer,
            answeredOn: view.answeredOn.flatMap { CivilDate($0)?.displayName },
            appealUntil: view.appealUntil.flatMap { CivilDate($0)?.nameWithWeekday }
        )
    }
}
