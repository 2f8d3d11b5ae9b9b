import Foundation

/// A horizontal bar chart drawn on the server as SVG: readable without JavaScript, with a
/// `<title>` and `<desc>` for screen readers and every value written next to its bar.
struct BarChart {
    struct Bar: Equatable {
        let label: String
        let value: Double?
        /// The value as people read it ("12,5 min"; "sin datos" when nil).
        let text: String
    }

    let id: String
    let title: String
    let bars: [Bar]
    /// The value of a full bar; the largest value when nil.
    var maximum: Double?
    /// Each label on its own line above its bar, in a narrow drawing: readable on a phone
    /// (the side-by-side drawing shrinks its words there).
    var stacked = false

    static let width = 640.0
    static let labelWidth = 230.0
    static let valueWidth = 90.0
    static let rowHeight = 28.0
    static let maxLabelCharacters = 32

    var svg: String {
        stacked ? stackedSVG : sideBySideSVG
    }

    static let stackedWidth = 340.0
    static let stackedRow = 44.0

    /// Label above, bar below with its value after it.
    private var stackedSVG: String {
        let height = Double(max(bars.count, 1)) * Self.stackedRow + 4
        let top = maximum ?? bars.compactMap(\.value).max() ?? 0
        let room = Self.stackedWidth - 110
        var svg = opening(width: Self.stackedWidth, height: height, kind: "chart chart-stacked")
        if bars.isEmpty {
            svg += ##"<text class="chart-empty" x="0" y="22" fill="#5b6b63">Sin datos</text>"##
        }
        for (index, bar) in bars.enumerated() {
            let y = Double(index) * Self.stackedRow
            svg += "<g class=\"bar\"><text class=\"chart-label\" x=\"0\" y=\"\(Self.number(y + 15))\" fill=\"#1d2a24\">\(Self.escape(bar.label))</text>"
            var end = 0.0
            if let value = bar.value, top > 0 {
                let length = max(value > 0 ? 2 : 0, min(1, value / top) * room)
                svg += "<rect x=\"0\" y=\"\(Self.number(y + 21))\" width=\"\(Self.number(length))\" height=\"16\" rx=\"3\" fill=\"#0b7a3e\"/>"
                end = length
            }
            let textClass = bar.value == nil ? "chart-value chart-empty" : "chart-value"
            svg += "<text class=\"\(textClass)\" x=\"\(Self.number(end + 6))\" y=\"\(Self.number(y + 34))\" fill=\"#1d2a24\">\(Self.escape(bar.text))</text></g>"
        }
        return svg + "</svg>"
    }

    private func opening(width: Double, height: Double, kind: String) -> String {
        let summary = bars.isEmpty ? "Sin datos." : bars.map { "\($0.label): \($0.text)" }.joined(separator: "; ") + "."
        return """
            <svg class="\(kind)" id="\(Self.escape(id))" role="img" aria-labelledby="\(Self.escape(id))-t \(Self.escape(id))-d" \
            viewBox="0 0 \(Self.number(width)) \(Self.number(height))" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">\
            <title id="\(Self.escape(id))-t">\(Self.escape(title))</title><desc id="\(Self.escape(id))-d">\(Self.escape(summary))</desc>
            """
    }

    private var sideBySideSVG: String {
        let height = Double(max(bars.count, 1)) * Self.rowHeight + 8
        let top = maximum ?? bars.compactMap(\.value).max() ?? 0
        let room = Self.width - Self.labelWidth - Self.valueWidth
        var svg = opening(width: Self.width, height: height, kind: "chart")
        if bars.isEmpty {
            svg += ##"<text class="chart-empty" x="0" y="22" fill="#5b6b63">Sin datos</text>"##
        }
        for (index, bar) in bars.enumerated() {
            let y = Double(index) * Self.rowHeight + 4
            let middle = y + Self.rowHeight / 2 + 4.5
            let shown = bar.label.count > Self.maxLabelCharacters ? String(bar.label.prefix(Self.maxLabelCharacters - 1)) + "…" : bar.label
            svg += "<g class=\"bar\">"
            svg += "<text class=\"chart-label\" x=\"\(Self.number(Self.labelWidth - 8))\" y=\"\(Self.number(middle))\" text-anchor=\"end\" fill=\"#1d2a24\">"
            svg += "<title>\(Self.escape(bar.label))</title>\(Self.escape(shown))</text>"
            var end = Self.labelWidth
            if let value = bar.value, top > 0 {
                let length = max(value > 0 ? 2 : 0, min(1, value / top) * room)
                svg += "<rect x=\"\(Self.number(Self.labelWidth))\" y=\"\(Self.number(y + 4))\" width=\"\(Self.number(length))\" height=\"\(Self.number(Self.rowHeight - 8))\" rx=\"3\" fill=\"#0b7a3e\"/>"
                end += length
            }
            let textClass = bar.value == nil ? "chart-value chart-empty" : "chart-value"
            svg += "<text class=\"\(textClass)\" x=\"\(Self.number(end + 6))\" y=\"\(Self.number(middle))\" fill=\"#1d2a24\">\(Self.escape(bar.text))</text>"
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A coordinate for SVG (a decimal point, never grouped): the values shown are formatted
    /// before they get here (`Bar.text`).
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
