import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

struct TransparencyService {
    let database: any Database
    let clock: AppClock
    /// Read once per service, not once per report sealed or opened.
    let key: SymmetricKey

    static func make(database: any Database, clock: AppClock) async throws -> TransparencyService {
        let key = SymmetricKey(data: try await PlatformSecret.value(named: "transparency_reports", database: database))
        return TransparencyService(database: database, clock: clock, key: key)
    }

    func seal(_ value: some Encodable) throws -> Data {
        // A 12-byte random nonce always gives the combined form.
        try AES.GCM.seal(try JSONEncoder().encode(value), using: key).combined!
    }

    func open<T: Decodable>(_ type: T.Type, _ sealed: Data) throws -> T {
        try JSONDecoder().decode(type, from: try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: key))
    }

    static func keyHash(code: String, key: String) -> String {
        Hex.sha256("ema-transparencia:\(code):\(key)")
    }

    /// Files a report; returns its code and the secret key, shown once.
    func file(_ content: TransparencyContent, files: [CaseDraft.File]) async throws -> (code: String, key: String) {
        var content = content
        content.what = content.what.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (20...10_000).contains(content.what.count) else { throw TransparencyError.whatRequired }
        content.name = content.name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : String($0.prefix(120)) }
        content.contact = content.contact.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : String($0.prefix(120)) }
        if files.count > CaseService.maxAttachments { throw CaseError.tooManyAttachments }
        let checked = try files.map(CaseService.checkedFile)
        let code = "CT-" + SecureRandom.readable(8)
        let secret = SecureRandom.readable(12)
        let report = TransparencyReport()
        report.id = UUID()
        report.code = code
        report.keyHash = Self.keyHash(code: code, key: secret)
        report.sealed = try seal(content)
        report.status = .received
        report.receivedOn = clock.today.description
        var evidence: [TransparencyEvidence] = []
        for file in checked {
            let row = TransparencyEvidence()
            row.reportID = report.id!
            row.sealed = try seal(TransparencyFile(filename: file.filename, contentType: file.contentType, data: file.data))
            evidence.append(row)
        }
        let sealedEvidence = evidence
        try await database.writeTransaction { tx in
            try await report.create(on: tx)
            for row in sealedEvidence { try await row.create(on: tx) }
        }
        return (code, secret)
    }

    /// The report with this code and key, or nil (same path for a wrong key and an unknown code).
    /// A typed code as stored: capitals, no spaces around.
    static func normalized(code: String) -> String {
        code.uppercased().trimmingCharacters(in: .whitespaces)
    }

    func lookup(code typedCode: String, key typedKey: String) async throws -> TransparencyReport? {
        let code = Self.normalized(code: typedCode)
        let key = typedKey.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        let found = try await TransparencyReport.query(on: database).filter(\.$code == code).first()
        let given = Self.keyHash(code: code, key: key)
        let expected = found?.keyHash ?? Self.keyHash(code: code, key: "decoy")
        return ConstantTime.equals(Array(given.utf8), Array(expected.utf8)) ? found : nil
    }

    func answer(_ report: TransparencyReport, text: String) async throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5_000).contains(text.count) else { throw TransparencyError.answerLength }
        report.sealedAnswer = try seal(text)
        report.answeredOn = clock.today.description
        report.status = .answered
        try await report.save(on: database)
    }
}
