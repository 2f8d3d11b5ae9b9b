import EmaCore
import Fluent
import NIOConcurrencyHelpers
import Foundation
import Vapor

/// Accounts, sign-in, sessions and the audit log of the back office.
struct StaffService {
    let database: any Database
    let clock: AppClock
    let passwords: AsyncPasswordHasher
    let limits: RateLimiter
    let signInLimiters: Application.StaffSignInLimiters
    var now: Date { clock.now() }

    /// A session ends after this long without a request, and after `absoluteLifetime` anyway.
    static let idleTimeout: TimeInterval = 30 * 60
    static let absoluteLifetime: TimeInterval = 12 * 3600
    static let minimumPasswordLength = 12
    /// Failed sign-ins: 5 per account and 20 per client address every 15 minutes. In the
    /// database, so a restart or another node does not lift a lock-out.
    static let failuresPerAccount = RateLimit("staff.ingreso.cuenta", limit: 5, window: 900)
    static let failuresPerAddress = RateLimit("staff.ingreso.direccion", limit: 20, window: 900)

    enum Problem: Error, Equatable, CustomStringConvertible {
        case invalidEmail, invalidName, invalidRole, shortPassword, duplicate

        var description: String {
            switch self {
            case .invalidEmail: "El correo no es válido."
            case .invalidName: "Escriba el nombre completo (de 3 a 80 caracteres)."
            case .invalidRole: "El rol debe ser agente, supervisor, administrador o transparencia."
            case .shortPassword: "La contraseña debe tener al menos \(StaffService.minimumPasswordLength) caracteres."
            case .duplicate: "Ya existe una cuenta con ese correo."
            }
        }
    }

    static func normalized(email: String) -> String? {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 120, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(" ") else { return nil }
        return email
    }

    func create(email: String, name: String, role: String, password: String) async throws -> StaffAccount {
        guard let email = Self.normalized(email: email) else { throw Problem.invalidEmail }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (3...80).contains(name.count) else { throw Problem.invalidName }
        guard let role = StaffAccount.Role(rawValue: role.lowercased()) else { throw Problem.invalidRole }
        guard password.count >= Self.minimumPasswordLength else { throw Problem.shortPassword }
        guard try await StaffAccount.query(on: database).filter(\.$email == email).first() == nil else { throw Problem.duplicate }
        let account = StaffAccount()
        account.email = email
        account.name = name
        account.role = role.rawValue
        account.passwordHash = try await hash(password)
        account.active = true
        account.createdAt = now
        try await account.create(on: database)
        try await audit(nil, email: email, "cuenta_creada", subject: email, detail: "rol \(role.rawValue)")
        return account
    }

    func hash(_ password: String) async throws -> String {
        try await passwords.hash(password)
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await passwords.verify(password, created: hash)
    }

    /// A hash of nothing anyone knows, checked when the account does not exist, so an unknown
    /// e-mail takes as long as a wrong password. Made on the first such sign-in (not at start-up:
    /// bcrypt at cost 12 takes a quarter of a second) and kept behind a lock.
    func dummyHash() async throws -> String {
        let box = signInLimiters.dummyHash
        if let cached = box.withLockedValue({ $0 }) { return cached }
        let made = try await hash(SecureRandom.hex(16))
        return box.withLockedValue { current in
            if current == nil { current = made }
            return current!
        }
    }

    enum SignIn {
        case signedIn(token: String, account: StaffAccount)
        case refused
        case limited(seconds: Int)
    }

    /// Checks the password; on success opens a new session (a new token every time).
    func signIn(email typed: String, password: String, client: String) async throws -> SignIn {
        let email = Self.normalized(email: typed) ?? String(typed.lowercased().prefix(120))
        // Each try is counted before bcrypt runs (a burst of tries cannot all pass a check made
        // before any failed) and given back when it signs in.
        let attempt: RateLimiter.Attempt
        do {
            attempt = try await limits.attempt([(Self.failuresPerAccount, email), (Self.failuresPerAddress, client)])
        } catch PlatformError.rateLimited(let seconds) {
            try await audit(nil, email: email, "ingreso_bloqueado", subject: email, detail: "demasiados intentos")
            return .limited(seconds: seconds)
        }
        let account = try await StaffAccount.query(on: database).filter(\.$email == email).first()
        var stored = account?.passwordHash ?? ""
        if account == nil { stored = try await dummyHash() }
        let matches = try await verify(password, hash: stored)
        guard let account, matches, account.active else {
            try await audit(account?.id, email: email, "ingreso_fallido", subject: email, detail: account == nil ? "cuenta desconocida" : "contraseña incorrecta o cuenta inactiva")
            return .refused
        }
        try await attempt.succeeded()
        let token = SecureRandom.hex(32)
        let session = StaffSession()
        session.tokenHash = Hex.sha256(token)
        session.$staff.id = try account.requireID()
        session.csrfToken = SecureRandom.hex(32)
        session.createdAt = now
        session.lastSeenAt = now
        try await session.create(on: database)
        account.lastSignInAt = now
        try await account.save(on: database)
        try await audit(account.id, email: email, "ingreso", subject: email, detail: "")
        return .signedIn(token: token, account: account)
    }

    /// The session and its account for a cookie's token, if still valid; touches it.
    func session(token: String) async throws -> (StaffSession, StaffAccount)? {
        guard token.count == 64 else { return nil }
        guard let session = try await StaffSession.query(on: database).filter(\.$tokenHash == Hex.sha256(token)).with(\.$staff).first() else { return nil }
        let now = now
        guard now.timeIntervalSince(session.lastSeenAt) < Self.idleTimeout,
              now.timeIntervalSince(session.createdAt) < Self.absoluteLifetime,
              session.staff.active
        else {
            try await session.delete(on: database)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await session.save(on: database)
        }
        return (session, session.staff)
    }

    func signOut(_ session: StaffSession, account: StaffAccount) async throws {
        try await session.delete(on: database)
        try await audit(account.id, email: account.email, "salida", subject: account.email, detail: "")
    }

    /// Writes one line of the audit log.
    func audit(_ staffID: UUID?, email: String, _ action: String, subject: String, detail: String) async throws {
        let entry = StaffAuditEntry()
        entry.staffID = staffID
        entry.email = email
        entry.action = action
        entry.subject = String(subject.prefix(200))
        entry.detail = String(detail.prefix(500))
        entry.at = now
        try await entry.create(on: database)
    }

    /// The demo's accounts, one per role (documented in the README; never in production).
    static let demoAccounts: [(email: String, name: String, role: StaffAccount.Role, password: String)] = [
        ("agente@ema.demo", "Andrea Agente", .agente, "agente-demo-2026"),
        ("supervisor@ema.demo", "Sergio Supervisor", .supervisor, "supervisor-demo-2026"),
        ("admin@ema.demo", "Adriana Administradora", .administrador, "admin-demo-2026"),
        ("transparencia@ema.demo", "Tomás Transparencia", .transparencia, "transparencia-demo-2026"),
    ]

    func loadDemoAccounts() async throws {
        for demo in Self.demoAccounts where try await StaffAccount.query(on: database).filter(\.$email == demo.email).first() == nil {
            _ = try await create(email: demo.email, name: demo.name, role: demo.role.rawValue, password: demo.password)
        }
    }
}

/// Deletes sessions past their idle or absolute end (a session is also refused and deleted the
/// moment someone presents it late; this removes the ones nobody brings back).
enum PruneStaffSessionsJob {
    static let kind = "staff.prune_sessions"

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let now = context.clock.now()
        try await StaffSession.query(on: context.database)
            .group(.or) { group in
                group.filter(\.$lastSeenAt < now.addingTimeInterval(-StaffService.idleTimeout))
                    .filter(\.$createdAt < now.addingTimeInterval(-StaffService.absoluteLifetime))
            }
            .delete()
    }
}

extension Application {
    /// The back office's accounts, sign-in, sessions and audit log, over this application's
    /// database (or a transaction).
    func staffService(database: (any Database)? = nil) -> StaffService {
        StaffService(database: database ?? db, clock: clock, passwords: password.async, limits: rateLimits, signInLimiters: staffSignInLimiters)
    }

    struct StaffSignInLimiters: Sendable {
        /// See `StaffService.dummyHash()`.
        let dummyHash = NIOLockedValueBox<String?>(nil)
    }

    private struct SignInLimitersKey: StorageKey { typealias Value = StaffSignInLimiters }

    /// Made by `configure`.
    var staffSignInLimiters: StaffSignInLimiters {
        get {
            guard let limiters = storage[SignInLimitersKey.self] else { fatalError("configure(_:config:) was not called") }
            return limiters
        }
        set { storage[SignInLimitersKey.self] = newValue }
    }
}
