import Foundation

/// Plausible contact-centre calls, the same on every machine: the demo's three months of calls
/// and the benchmark's million rows come from here. Waits grow through the morning peak, most
/// callers wait a few seconds, a few give up (some at once, dialled by mistake), and about four
/// answered calls in five are resolved in the call.
public enum SampleCalls {
    /// The lines as the contact centre writes them, weighted by how often they ring.
    public static let lines = ["4444115", "4444115", "4444115", "018000415115", "018000415115", "#376", "018000410115"]
    public static let queues = ["Hogares", "Hogares", "Hogares", "Daños y emergencias", "Empresas", "Facturación"]
    static let segments: [Segment] = [.hogares, .hogares, .hogares, .hogares, .empresas, .grandesClientes, .gobierno]

    /// The `index`-th call of `day` out of `count` (spread from 07:00 to 19:00 Bogotá).
    /// `prefix` starts the call id (`CC-20261103-00042`).
    public static func call(day: CivilDate, index: Int, count: Int, prefix: String = "CC") -> CallRow {
        var random = SplitMix64(seed: StableHash.fnv1a("llamada|\(day)|\(index)"))
        let spread = 12 * 3_600 / max(1, count)
        let offered = day.startInBogota + Double(7 * 3_600 + index * spread + Int(random.next() % UInt64(max(1, spread))))
        let hour = 7 + index * 12 / max(1, count)
        let peak = (8...11).contains(hour) ? 2.0 : 1.0
        // An exponential wait: mean 9 s, 18 s at the morning's peak.
        let uniform = Double(random.next() % 1_000_000 + 1) / 1_000_001
        let wait = Int((-log(uniform) * 9 * peak).rounded())
        let giveUp = random.next() % 100
        let abandoned = giveUp < 2 || (wait > 30 && giveUp < UInt64(min(60, wait / 3)))
        let line = lines[Int(random.next() % UInt64(lines.count))]
        let segment = line == "018000410115" ? .grandesClientes : segments[Int(random.next() % UInt64(segments.count))]
        let queue = segment == .hogares ? queues[Int(random.next() % UInt64(queues.count))] : (segment == .grandesClientes ? "Grandes clientes" : "Empresas")
        let shortWait = abandoned && giveUp < 2 ? Int(random.next() % 5) : wait
        let end = offered.addingTimeInterval(Double(shortWait))
        return CallRow(
            callID: "\(prefix)-\(day.description.replacingOccurrences(of: "-", with: ""))-\(String(format: "%05d", index))",
            line: line, queue: queue, offeredAt: offered,
            answeredAt: abandoned ? nil : end, abandonedAt: abandoned ? end : nil,
            talkSeconds: abandoned ? 0 : 60 + Int(random.next() % 540), resolved: !abandoned && random.next() % 100 < 79,
            segment: segment
        )
    }

    /// How many calls a day brings: fewer on Saturdays, none on Sundays and holidays.
    public static func count(on day: CivilDate, perBusinessDay: Int) -> Int {
        let jitter = Int(StableHash.fnv1a("volumen|\(day)") % UInt64(max(1, perBusinessDay / 5)))
        let calendar = ColombianCalendar()
        if calendar.isBusinessDay(day) { return perBusinessDay + jitter }
        return ColombianCalendar.weekday(day) == 5 && !calendar.isHoliday(day) ? (perBusinessDay + jitter) / 3 : 0
    }

    /// The call as a line of `calls.csv` (times in Bogotá, no zone), ending in a newline.
    public static func csvLine(_ call: CallRow) -> String {
        func time(_ date: Date?) -> String {
            guard let date else { return "" }
            let seconds = Int(date.timeIntervalSince1970) + CivilDate.bogotaOffsetSeconds
            let day = CivilDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
            let rest = seconds - day.dayNumber * 86_400
            return "\(day) " + String(format: "%02d:%02d:%02d", rest / 3_600, rest % 3_600 / 60, rest % 60)
        }
        return [call.callID, call.line, call.queue, time(call.offeredAt), time(call.answeredAt), time(call.abandonedAt),
                String(call.talkSeconds), call.resolved ? "si" : "no", call.segment.rawValue].joined(separator: ",") + "\n"
    }

    public static let csvHeader = CallCSV.requiredColumns.joined(separator: ",") + "\n"
}
