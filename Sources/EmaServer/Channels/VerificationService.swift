import Crypto
import EmaCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// Verifies that a person holds a mobile number: sends a 6-digit code by SMS and checks it,
/// under `OneTimeCodePolicy` (10 minutes, 5 tries, 60 s between codes, 5 codes an hour). The
/// code's hash and its SMS (through `SMSOutbox`) commit together, in the caller's transaction.
/// A code belongs to whoever asked for it (`requester`): only they may use it, a stranger's
/// wrong tries do not spend its tries, and a stranger's new code does not replace it.
struct VerificationService {
    let database: any Database
    /// Over the same database.
    let outbox: SMSOutbox
    let clock: AppClock
    let utilityName: String
    /// Who asks: the client's address (web) or the WhatsApp sender.
    var requester = ""
    var policy = OneTimeCodePolicy()

    /// What the code row keeps of the requester: a hash, not the address.
    var requesterKey: String { Hex.sha256("ema-codigo-solicitante:" + requester) }

    enum IssueResult: Equatable {
        case sent
        case wait(seconds: Int)
        case hourlyLimit(retryAfterSeconds: Int)
        /// No SMS provider is configured (and no sandbox stands in).
        case unavailable
    }

    /// Sends a new code to `phone` (E.164), unless the limits say not yet. A new code replaces
    /// the previous one. The SMS leaves from the outbox once the caller commits; a provider that
    /// is down delays it (the job retries) and the code still counts against the number.
    func issue(to phone: String) async throws -> IssueResult {
        guard outbox.available else { return .unavailable }
        let now = clock.now()
        let recent = try await VerificationCode.query(on: database)
            .filter(\.$phone == phone)
            .filter(\.$issuedAt > now.addingTimeInterval(-3_600))
            .all()
        switch policy.mayIssue(previous: recent.map(\.issuedAt), now: now) {
        case .wait(let seconds): return .wait(seconds: seconds)
        case .hourlyLimit(let seconds): return .hourlyLimit(retryAfterSeconds: seconds)
        case .allowed: break
        }
        var generator = SystemRandomNumberGenerator()
        let code = policy.generate(using: &generator)
        let salt = Data(SecureRandom.bytes(16))
        let record = VerificationCode()
        record.phone = phone
        record.salt = salt
        record.codeHash = Self.hash(code, salt: salt)
        record.issuedAt = now
        record.attempts = 0
        record.consumed = false
        record.requester = requesterKey
        let body = "\(utilityName): tu código de verificación de Ema es \(code). Vence en 10 minutos. No lo compartas con nadie."
        try await database.writeTransaction { transaction in
            // Only the requester's newest code is valid: their earlier ones are retired.
            try await VerificationCode.query(on: transaction)
                .filter(\.$phone == phone)
                .filter(\.$requester == requesterKey)
                .filter(\.$consumed == false)
                .set(\.$consumed, to: true)
                .update()
            try await record.create(on: transaction)
            try await outbox.on(transaction).queue(body, to: phone, purpose: "codigo")
        }
        return .sent
    }

    /// Checks a code typed by the person. Anything but six digits is a wrong try too.
    func check(phone: String, code typed: String) async throws -> OneTimeCodePolicy.CheckResult {
        let now = clock.now()
        guard let record = try await VerificationCode.query(on: database)
            .filter(\.$phone == phone)
            .filter(\.$requester == requesterKey)
            .sort(\.$issuedAt, .descending)
            .first()
        else { return .missing }
        let candidate = typed.filter { !$0.isWhitespace }
        let matches = ConstantTime.equals(Self.hash(candidate, salt: record.salt), record.codeHash)
        let state = OneTimeCodeState(issuedAt: record.issuedAt, attempts: record.attempts, consumed: record.consumed)
        let (result, next) = policy.check(state, matches: matches, now: now)
        if next != state {
            // Conditional on the attempts read, so two tries at once cannot both count as the first.
            let updated = try await database.sql.update(VerificationCode.schema)
                .set("attempts", to: SQLBind(next.attempts))
                .set("consumed", to: SQLBind(next.consumed))
                .where("id", .equal, SQLBind(record.id!))
                .where("attempts", .equal, SQLBind(state.attempts))
                .where("consumed", .equal, SQLBind(false))
                .returning("id")
                .all()
            if updated.isEmpty { return .wrong(remaining: max(0, policy.maxAttempts - state.attempts - 1)) }
        }
        return result
    }

    static func hash(_ code: String, salt: Data) -> Data {
        Data(SHA256.hash(data: salt + Data(code.utf8)))
    }
}
