import EmaCore
import Foundation
import Vapor

/// The privacy policy and the terms, versioned files in `Resources/legal/` (`version:` and
/// `title:` lines, an optional `summary:` — what it says in a sentence, for the chat —, `---`,
/// then the text). The hash of the exact text is kept with every consent.
public struct LegalDocuments: Sendable {
    public let privacy: LegalDocument
    public let terms: LegalDocument
    /// The separate, optional authorization for promotions and news (never bundled with the others).
    public let promotions: LegalDocument

    static func load(folder: String, publicURL: String) throws -> LegalDocuments {
        LegalDocuments(
            privacy: try document(folder + "privacidad.txt", url: publicURL + "/legal/privacidad"),
            terms: try document(folder + "terminos.txt", url: publicURL + "/legal/terminos"),
            promotions: try document(folder + "promociones.txt", url: publicURL + "/legal/promociones")
        )
    }

    static func document(_ path: String, url: String) throws -> LegalDocument {
        guard let raw = try? String(contentsOfFile: path, encoding: .utf8),
              let separator = raw.range(of: "\n---\n")
        else { throw CommandFailure("Falta o no es válido \(path): debe tener las líneas version:, title:, ---, y el texto.") }
        var fields: [String: String] = [:]
        for line in raw[..<separator.lowerBound].split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        let text = String(raw[separator.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let version = fields["version"], let title = fields["title"], !text.isEmpty else {
            throw CommandFailure("\(path) necesita las líneas version: y title: antes de ---")
        }
        return LegalDocument(version: version, title: title, text: text, sha256: Hex.sha256(text), url: url, summary: fields["summary"])
    }
}

extension Application {
    private struct LegalKey: StorageKey { typealias Value = LegalDocuments }

    public var legalDocuments: LegalDocuments {
        get {
            guard let documents = storage[LegalKey.self] else { fatalError("configure(_:config:) was not called") }
            return documents
        }
        set { storage[LegalKey.self] = newValue }
    }
}
