import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// What staff taught Ema: phrases she did not understand, each assigned to an intent, added to
/// the shipped training examples. One decision is one change (`change_id`), kept with the
/// accuracy on `heldout.tsv` before and after it; undoing a change withdraws its examples.
enum TaughtExamples {
    static let schema = "nlu_examples"

    /// A decision of staff, as the page lists it.
    struct Change: Equatable {
        let id: UUID
        let intent: Intent
        let phrases: [String]
        let by: String
        let at: Date
        let accuracyBefore: Double
        let accuracyAfter: Double
        let withdrawnAt: Date?

        /// The change made Ema read the held-out phrases worse.
        var lowersAccuracy: Bool { accuracyAfter < accuracyBefore }
    }

    /// Changes to the set (a row added or withdrawn) change this.
    struct Stamp: Equatable, Sendable {
        let total: Int
        let withdrawn: Int
    }

    static func stamp(on database: any Database) async throws -> Stamp {
        let row = try await database.sql.raw("SELECT COUNT(*) AS total, COUNT(withdrawn_at) AS withdrawn FROM \(ident: schema)").first()
        return Stamp(total: try row?.decode(column: "total", as: Int.self) ?? 0, withdrawn: try row?.decode(column: "withdrawn", as: Int.self) ?? 0)
    }

    /// The examples in force.
    static func active(on database: any Database) async throws -> [IntentExample] {
        try await database.sql.raw("SELECT intent, text FROM \(ident: schema) WHERE withdrawn_at IS NULL ORDER BY added_at, id").all().compactMap {
            guard let intent = Intent(rawValue: try $0.decode(column: "intent", as: String.self)) else { return nil }
            return IntentExample(intent: intent, text: try $0.decode(column: "text", as: String.self))
        }
    }

    static func add(_ texts: [String], as intent: Intent, change: UUID, phrases: [UUID], by staff: String, at date: Date,
                    accuracy: (before: Double, after: Double), on database: any Database) async throws {
        for (text, phrase) in zip(texts, phrases) {
            try await database.sql.insert(into: schema)
                .columns("id", "change_id", "intent", "text", "phrase_id", "added_by", "added_at", "accuracy_before", "accuracy_after")
                .values(SQLBind(UUID()), SQLBind(change), SQLBind(intent.rawValue), SQLBind(text), SQLBind(phrase), SQLBind(staff), SQLBind(date),
                        SQLBind(accuracy.before), SQLBind(accuracy.after))
                .run()
        }
    }

    /// Withdraws a change's examples; their phrases, the ids returned, go back to pending.
    static func withdraw(change: UUID, by staff: String, at date: Date, on database: any Database) async throws -> [UUID] {
        let phrases = try await database.sql.raw("""
            SELECT phrase_id FROM \(ident: schema) WHERE change_id = \(bind: change) AND withdrawn_at IS NULL
            """).all().map { try $0.decode(column: "phrase_id", as: UUID.self) }
        try await database.sql.update(schema).set("withdrawn_at", to: SQLBind(date)).set("withdrawn_by", to: SQLBind(staff))
            .where("change_id", .equal, SQLBind(change)).where("withdrawn_at", .is, SQLLiteral.null).run()
        return phrases
    }

    /// The latest changes, newest first.
    static func changes(limit: Int = 30, on database: any Database) async throws -> [Change] {
        let rows = try await database.sql.raw("""
            SELECT change_id, intent, text, added_by, added_at, accuracy_before, accuracy_after, withdrawn_at FROM \(ident: schema)
            ORDER BY added_at DESC, text
            """).all()
        var order: [UUID] = []
        var byChange: [UUID: Change] = [:]
        for row in rows {
            let id = try row.decode(column: "change_id", as: UUID.self)
            let text = try row.decode(column: "text", as: String.self)
            if let existing = byChange[id] {
                byChange[id] = Change(id: id, intent: existing.intent, phrases: existing.phrases + [text], by: existing.by, at: existing.at,
                                      accuracyBefore: existing.accuracyBefore, accuracyAfter: existing.accuracyAfter, withdrawnAt: existing.withdrawnAt)
                continue
            }
            guard order.count < limit, let intent = Intent(rawValue: try row.decode(column: "intent", as: String.self)) else { continue }
            order.append(id)
            byChange[id] = Change(id: id, intent: intent, phrases: [text], by: try row.decode(column: "added_by", as: String.self),
                                  at: try row.decode(column: "added_at", as: Date.self),
                                  accuracyBefore: try row.decode(column: "accuracy_before", as: Double.self),
                                  accuracyAfter: try row.decode(column: "accuracy_after", as: Double.self),
                                  withdrawnAt: try row.decode(column: "withdrawn_at", as: Date?.self))
        }
        return order.compactMap { byChange[$0] }
    }
}

struct CreateTaughtExamples: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TaughtExamples.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("change_id", .uuid, .required)
            .field("intent", .string, .required)
            .field("text", .string, .required)
            .field("phrase_id", .uuid, .required)
            .field("added_by", .string, .required)
            .field("added_at", .datetime, .required)
            .field("accuracy_before", .double, .required)
            .field("accuracy_after", .double, .required)
            .field("withdrawn_at", .datetime)
            .field("withdrawn_by", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TaughtExamples.schema).delete()
    }
}

/// This node's intent classifier: the shipped examples plus what staff taught, retrained when
/// the taught set changed — on any node: each turn reads the set's stamp, so a phrase taught
/// on one node is understood on every other at its next message, without a restart.
actor IntentModels {
    let shipped: [IntentExample]
    private var stamp: TaughtExamples.Stamp
    private var classifier: IntentClassifier

    init(shipped: [IntentExample], classifier: IntentClassifier) {
        self.shipped = shipped
        self.classifier = classifier
        stamp = TaughtExamples.Stamp(total: 0, withdrawn: 0)
    }

    /// The classifier in force for the database's taught set.
    func current(on database: any Database) async throws -> IntentClassifier {
        let now = try await TaughtExamples.stamp(on: database)
        if now == stamp { return classifier }
        let taught = try await TaughtExamples.active(on: database)
        classifier = IntentClassifier(examples: shipped + taught)
        stamp = now
        return classifier
    }
}
