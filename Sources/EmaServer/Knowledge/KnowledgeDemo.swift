import EmaCore
import Foundation
import Vapor

/// The demo's knowledge base: the articles of `Resources/knowledge/*.md` (lines `title:`,
/// `short:`, `questions:` then one question per line, `---`, then the Markdown body), saved once
/// as their first version when the base is empty.
enum KnowledgeDemo {
    struct Parsed: Equatable {
        let title: String
        let short: String
        let questions: [String]
        let body: String
    }

    static func parse(_ text: String) -> Parsed? {
        guard let separator = text.range(of: "\n---\n") else { return nil }
        var title = "", short = ""
        var questions: [String] = []
        var inQuestions = false
        for line in text[..<separator.lowerBound].split(separator: "\n").map(String.init) {
            if line.hasPrefix("title:") { title = String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces); inQuestions = false }
            else if line.hasPrefix("short:") { short = String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces); inQuestions = false }
            else if line.hasPrefix("questions:") { inQuestions = true }
            else if inQuestions, !line.trimmingCharacters(in: .whitespaces).isEmpty { questions.append(line.trimmingCharacters(in: .whitespaces)) }
        }
        let body = String(text[separator.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, !short.isEmpty, !questions.isEmpty, !body.isEmpty else { return nil }
        return Parsed(title: title, short: short, questions: questions, body: body)
    }

    /// Returns how many articles it saved (none when the base already has some).
    @discardableResult
    static func load(into app: Application) async throws -> Int {
        guard try await Articles.all(on: app.db).isEmpty else { return 0 }
        let folder = app.directory.resourcesDirectory + "knowledge/"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".md") }.sorted() ?? []
        var saved = 0
        for file in files {
            guard let text = try? String(contentsOfFile: folder + file, encoding: .utf8), let parsed = parse(text) else {
                app.logger.warning("Artículo de demostración ilegible: \(file)")
                continue
            }
            _ = try await Articles.save(.init(slug: nil, title: parsed.title, shortAnswer: parsed.short, questions: parsed.questions.joined(separator: "\n"),
                                              body: parsed.body, status: .published), by: "demo", at: app.clock.now(), on: app.db)
            saved += 1
        }
        return saved
    }
}
