import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Suggestions (issue 23): routed to the area that can act on them (on filing, by the area's
/// keywords; or by the PQR desk), answered there like any case — the customer is contacted on
/// their channel by the answer's notice — and marked with whether they led to a change.
extension CaseService {
    enum SuggestionError: EmaError {
        case notASuggestion, unknownArea, changeNoteLength, changeChoice

        var status: HTTPResponseStatus { .badRequest }

        var code: String {
            switch self {
            case .notASuggestion: "not_a_suggestion"
            case .unknownArea: "unknown_area"
            case .changeNoteLength: "change_note_length"
            case .changeChoice: "change_choice"
            }
        }

        var reason: String {
            switch self {
            case .notASuggestion: "Esto solo aplica a las sugerencias."
            case .unknownArea: "Elige una de las áreas de la lista."
            case .changeNoteLength: "Cuenta en pocas palabras qué cambió (de 10 a 500 caracteres)."
            case .changeChoice: "Elige si la sugerencia llevó a un cambio o no."
            }
        }
    }

    static func routedDetail(_ area: SuggestionArea) -> String {
        "Remitida a \(area.name), el área que la puede atender: la analiza y te responde por el canal por el que nos escribiste."
    }

    /// Sends a suggestion to an area (again, if it was elsewhere).
    func route(_ row: PQRCase, to areaID: String, by actor: String) async throws {
        guard row.typeValue == .sugerencia else { throw SuggestionError.notASuggestion }
        guard let area = suggestionAreas.first(where: { $0.id == areaID }) else { throw SuggestionError.unknownArea }
        row.area = area.id
        try await database.writeTransaction { tx in
            try await row.save(on: tx)
            try await record(row, on: tx, actor: actor, kind: "remitida", detail: Self.routedDetail(area), isPublic: true)
        }
    }

    /// Records whether the suggestion led to a change, and what changed (shown to the customer
    /// in the radicado's history).
    func recordChange(_ row: PQRCase, ledToChange: Bool, note: String, by actor: String) async throws {
        guard row.typeValue == .sugerencia else { throw SuggestionError.notASuggestion }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if ledToChange, !(10...500).contains(note.count) { throw SuggestionError.changeNoteLength }
        row.ledToChange = ledToChange
        row.changeNote = ledToChange ? note : nil
        try await database.writeTransaction { tx in
            try await row.save(on: tx)
            try await record(row, on: tx, actor: actor, kind: "cambio",
                             detail: ledToChange ? "Tu sugerencia nos llevó a un cambio: \(note)" : "Analizamos tu sugerencia; por ahora no lleva a un cambio.", isPublic: true)
        }
    }
}

extension CaseIndicatorFacts {
    /// Suggestions filed on the days `[from, to)`, by area: received, answered, and of the
    /// answered, those that led to a change.
    static func suggestions(from: String, to: String, on database: any Database) async throws -> [Indicators.SuggestionFact] {
        struct Row: Decodable { let area: String?; let received: Int; let answered: Int; let changes: Int }
        return try await database.sql.raw("""
            SELECT area, COUNT(*) AS received,
                COALESCE(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered,
                COALESCE(SUM(CASE WHEN led_to_change AND answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS changes
            FROM \(ident: PQRCase.schema)
            WHERE type = \(bind: CaseType.sugerencia.rawValue) AND filed_on >= \(bind: from) AND filed_on < \(bind: to)
            GROUP BY area
            """).all(decoding: Row.self).map { Indicators.SuggestionFact(area: $0.area, received: $0.received, answered: $0.answered, changes: $0.changes) }
    }
}
