import Foundation

/// An article of the utility's knowledge base, as Ema tells it.
public struct ArticleAnswer: Sendable, Equatable {
    public let slug: String
    public let title: String
    /// The chat's short answer.
    public let shortAnswer: String
    /// The full article's page.
    public let url: String
    /// How well it matched the question, 0…1.
    public let score: Double

    public init(slug: String, title: String, shortAnswer: String, url: String, score: Double) {
        (self.slug, self.title, self.shortAnswer, self.url, self.score) = (slug, title, shortAnswer, url, score)
    }
}

/// Service questions answered from the knowledge base: the short answer, the link to the whole
/// article, and «¿Te sirvió?» (a «no» offers an advisor or a PQR). Ema answers with an article
/// what she does not otherwise understand, the SOMOS questions, and a question she would have
/// taken for a bill's copy when an article fits it clearly.
extension Turn {
    static let articleChoices = [Choice("articulo_si", "Sí, me sirvió"), Choice("articulo_no", "No")]
    /// The least match Ema answers with, and the least when the words also fit a flow.
    static let articleThreshold = 0.3
    static let articleOverFlow = 0.45

    /// «¿Por qué…?», «¿cómo…?», «¿qué es…?»: a question rather than a request.
    static func looksLikeQuestion(_ text: String) -> Bool {
        let words = TextNormalizer.normalize(text)
        return text.contains("?") || ["por que ", "porque ", "como ", "que es ", "cual ", "cuando "].contains { words.hasPrefix($0) || words.contains(" " + $0) }
    }

    /// The article that answers the customer's words for `intent`, if one fits well enough.
    mutating func article(for intent: Intent, effects: any AssistantEffects) async throws -> ArticleAnswer? {
        guard let text = lastText, !text.isEmpty else { return nil }
        let least: Double
        switch intent {
        case .fueraDeAlcance, .programaSomos: least = Self.articleThreshold
        case .duplicadoFactura where Self.looksLikeQuestion(text): least = Self.articleOverFlow
        default: return nil
        }
        // The knowledge base helps; it never stops a turn (a failed search is no article).
        guard let found = try? await effects.findArticle(text: text), found.score >= least else { return nil }
        return found
    }

    mutating func answerArticle(_ article: ArticleAnswer) {
        count(.article(article.slug))
        state.articleSlug = article.slug
        say("\(article.title)\n\(article.shortAnswer)\nLee el artículo completo: \(article.url)")
        state.step = .articleFeedback
        ask("¿Te sirvió esta respuesta?", Self.articleChoices)
    }

    mutating func articleFeedbackStep(_ input: Input, effects: any AssistantEffects) async throws {
        guard let slug = state.articleSlug else { return showMainMenu("¿En qué te puedo ayudar?") }
        switch yesNo(input, yes: "articulo_si", no: "articulo_no") {
        case true?:
            state.articleSlug = nil
            _ = try await effects.rateArticle(slug: slug, helpful: true, channel: state.channel.rawValue)
            showMainMenu("¡Qué bueno! 😊 ¿Te ayudo con algo más?")
        case false?:
            state.articleSlug = nil
            _ = try await effects.rateArticle(slug: slug, helpful: false, channel: state.channel.rawValue)
            state.step = .mainMenu
            ask("Gracias por decírmelo: así mejoramos las respuestas. ¿Quieres que te atienda un asesor, o radicar una petición o un reclamo?",
                [Choice("menu_asesor", "Hablar con un asesor"), Choice("menu_pqr", "Radicar una PQR"), Choice("menu", "Menú principal")])
        case nil:
            // Other words are another question: the rating is left unanswered.
            state.articleSlug = nil
            guard case .text(let text) = input else { return showMainMenu("¿En qué te puedo ayudar?") }
            try await route(intent(of: text), effects: effects)
        }
    }
}
