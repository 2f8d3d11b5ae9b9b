import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Surveys sent as a link by SMS: after an office attention (one question) and in the periodic
/// campaigns (several). The link's token is an HMAC of the invitation's id under a platform
/// secret, so nothing stores it in clear (the invitation keeps its SHA-256, the SMS job only the
/// id); a token answers once, before it expires.
struct SurveyInvitations: Sendable {
    /// The node's database, or the transaction the invitations are part of.
    let database: any Database
    let clock: AppClock
    /// Wakes the node's worker for the SMS jobs.
    let wake: @Sendable () async -> Void

    /// The same invitations over another database (a transaction).
    func on(_ other: any Database) -> SurveyInvitations {
        SurveyInvitations(database: other, clock: clock, wake: wake)
    }

    static let smsJob = "insights.survey_sms"
    static let officeLifetime: TimeInterval = 7 * 86_400
    static let campaignLifetime: TimeInterval = 15 * 86_400

    /// A campaign's questions, each answered 1–5; `general` is the overall score.
    static let campaignQuestions: [(id: String, text: String)] = [
        ("general", "En general, ¿qué tan satisfecho estás con la atención que recibiste?"),
        ("espera", "¿Qué tan satisfecho estás con el tiempo que esperaste para ser atendido?"),
        ("claridad", "¿Qué tan clara fue la información que te dimos?"),
        ("amabilidad", "¿Cómo calificas la amabilidad de quien te atendió?"),
        ("solucion", "¿Qué tan bien resolvimos lo que necesitabas?"),
    ]

    struct Payload: Codable { let invitation: UUID }

    /// Invites once per subject; returns nil when that subject was invited already. `key` is the
    /// links' secret when the caller invites many at once (read once, not per invitation).
    @discardableResult
    func invite(kind: SurveyService.Kind, subject: String, phone: String, office: String? = nil, municipality: String? = nil,
                campaign: UUID? = nil, key: SymmetricKey? = nil) async throws -> UUID? {
        if try await SurveyInvitation.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$subject == subject).count() > 0 { return nil }
        let now = clock.now()
        let invitation = SurveyInvitation()
        invitation.id = UUID()
        invitation.kind = kind.rawValue
        invitation.subject = subject
        invitation.phone = phone
        invitation.office = office
        invitation.municipality = municipality
        invitation.campaignID = campaign
        invitation.createdAt = now
        invitation.expiresAt = now.addingTimeInterval(kind == .campana ? Self.campaignLifetime : Self.officeLifetime)
        let signing: SymmetricKey
        if let key { signing = key } else { signing = try await linkKey() }
        invitation.tokenHash = Hex.sha256(Self.token(for: invitation.id!, key: signing))
        // The invitation and its SMS job commit together.
        try await database.writeTransaction { [clock] tx in
            try await invitation.create(on: tx)
            try await JobQueue(database: tx, clock: clock).enqueue(kind: Self.smsJob, payload: Payload(invitation: invitation.id!), idempotencyKey: "survey-sms:\(invitation.id!)")
        }
        // Inside a caller's transaction, the caller wakes the worker once it committed.
        if !database.inTransaction { await wake() }
        return invitation.id
    }

    /// The secret the links' tokens are signed with.
    func linkKey() async throws -> SymmetricKey {
        SymmetricKey(data: try await PlatformSecret.value(named: "survey_links", database: database))
    }

    /// An invitation's token: its id signed, 22 URL-safe characters.
    static func token(for id: UUID, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(id.uuidString.utf8), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").prefix(22).description
    }

    func token(for id: UUID) async throws -> String {
        Self.token(for: id, key: try await linkKey())
    }

    /// The open invitation of a token, or why there is none.
    enum Lookup { case open(SurveyInvitation), answered, expired, unknown }

    func lookup(token: String) async throws -> Lookup {
        guard token.count == 22, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
              let invitation = try await SurveyInvitation.query(on: database).filter(\.$tokenHash == Hex.sha256(token)).first()
        else { return .unknown }
        if invitation.answeredAt != nil { return .answered }
        if invitation.expiresAt < clock.now() { return .expired }
        return .open(invitation)
    }

    /// Stores the answers of an open invitation, once (a second submit finds it answered).
    func answer(_ invitation: SurveyInvitation, answers: [String: Int], comment: String?) async throws -> Bool {
        let id = try invitation.requireID()
        guard let kind = SurveyService.Kind(rawValue: invitation.kind), let score = answers["general"] else { return false }
        let extra = answers.filter { $0.key != "general" }
        let clock = clock
        return try await database.writeTransaction { tx in
            let claimed = try await tx.sql.raw("UPDATE survey_invitations SET answered_at = \(bind: clock.now()) WHERE id = \(bind: id) AND answered_at IS NULL RETURNING id").all()
            guard !claimed.isEmpty else { return false }
            return try await SurveyService(database: tx, clock: clock).record(.init(
                kind: kind, subject: kind == .campana ? id.uuidString : invitation.subject, channel: "sms", score: score, answers: extra, comment: comment,
                office: invitation.office, municipality: invitation.municipality, campaignID: invitation.campaignID
            ))
        }
    }

    /// The job body: the SMS with the link.
    @Sendable static func send(_ context: JobContext, _ payload: String) async throws {
        let job = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8))
        let service = context.application.surveyInvitations()
        guard let invitation = try await SurveyInvitation.find(job.invitation, on: context.database), invitation.answeredAt == nil, let phone = invitation.phone else { return }
        let link = "\(context.application.emaConfig.publicURL)/encuesta/\(try await service.token(for: job.invitation))"
        let name = context.application.utilityProfile?.shortName ?? "Ema"
        let body: String
        if invitation.kind == SurveyService.Kind.campana.rawValue {
            body = "\(name) quiere conocer tu opinión sobre la atención que recibiste. Responde 5 preguntas en 1 minuto: \(link)"
        } else {
            body = "\(name): gracias por visitarnos\(invitation.office.map { " en \($0)" } ?? ""). ¿Cómo te atendimos? Califícanos en 30 segundos: \(link)"
        }
        _ = try await context.application.sms.send(to: phone, body: body)
    }
}

extension Application {
    /// Survey invitations over `database` (by default this node's database).
    func surveyInvitations(database: (any Database)? = nil) -> SurveyInvitations {
        SurveyInvitations(database: database ?? db, clock: clock, wake: wakeWorker)
    }
}
