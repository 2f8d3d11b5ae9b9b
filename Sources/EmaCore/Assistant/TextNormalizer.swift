import Foundation

/// Brings free text to a comparable form: lowercase, no accents, no punctuation, letters
/// repeated for emphasis squeezed ("holaaa" → "hola"), and the spellings people use in chats
/// mapped to the dictionary word ("q" → "que", "wasap" → "whatsapp").
public enum TextNormalizer {
    static let spellings: [String: String] = [
        "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque",
        "pa": "para", "pal": "para el", "porfa": "por favor", "porfis": "por favor", "xfa": "por favor", "plis": "por favor",
        "wasap": "whatsapp", "wasa": "whatsapp", "whatsap": "whatsapp", "whasapp": "whatsapp", "wpp": "whatsapp",
        "wp": "whatsapp", "guasap": "whatsapp", "watsap": "whatsapp", "wsp": "whatsapp", "whats": "whatsapp", "wts": "whatsapp",
        "tb": "tambien", "tmb": "tambien", "d": "de", "x": "por", "msj": "mensaje", "cel": "celular",
        "fact": "factura", "nro": "numero", "num": "numero", "n": "numero", "tel": "telefono", "info": "informacion",
        "bn": "bien", "grax": "gracias", "grs": "gracias", "tks": "gracias", "ok": "ok", "okey": "ok", "oki": "ok",
        "sip": "si", "nop": "no", "nel": "no", "ps": "pues", "pes": "pues", "toy": "estoy", "ta": "esta",
        "hla": "hola", "ola": "hola", "bns": "buenas", "dias": "dias", "tardes": "tardes",
    ]

    public static func normalize(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        var words: [String] = []
        var current = ""
        func flush() {
            guard !current.isEmpty else { return }
            let word = squeezed(current)
            // Chat spellings are mapped only as written: "q" is "que", but "qqqq" is not a word.
            words.append(word == current ? spellings[word] ?? word : word)
            current = ""
        }
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return words.joined(separator: " ")
    }

    /// A letter written three or more times in a row counts once ("holaaa" → "hola",
    /// "siiii" → "si"); doubled letters stay ("llamar", "carro"); digits are never touched.
    static func squeezed(_ word: String) -> String {
        var result = String.UnicodeScalarView()
        var run: [Unicode.Scalar] = []
        func close() {
            if run.count >= 3, !CharacterSet.decimalDigits.contains(run[0]) { result.append(run[0]) } else { result.append(contentsOf: run) }
            run.removeAll()
        }
        for scalar in word.unicodeScalars {
            if let last = run.last, last != scalar { close() }
            run.append(scalar)
        }
        close()
        return String(result)
    }
}
