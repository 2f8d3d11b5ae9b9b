import Foundation
import Testing

/// The architecture the folders promise: each capability (a folder of `Sources/EmaServer`)
/// owns the tables its migrations create, and no other capability's code names them in SQL or
/// reads them through their models. Another capability goes through the owner's service or a
/// protocol the owner implements (ARCHITECTURE.md).
@Suite("Capabilities and their tables")
struct BoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/EmaServer")

    struct Source {
        let capability: String
        let path: String
        let lines: [String]
    }

    static func sources() throws -> [Source] {
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        return try files.sorted().compactMap { path in
            let parts = path.split(separator: "/")
            guard parts.count > 1 else { return nil }
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            return Source(capability: String(parts[0]), path: path, lines: text.components(separatedBy: "\n"))
        }
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            (0..<match.numberOfRanges).map { index in Range(match.range(at: index), in: text).map { String(text[$0]) } ?? "" }
        }
    }

    /// Table → capability, and model type → (capability, table), from the migrations and models.
    static func owners(_ sources: [Source]) -> (tables: [String: String], models: [String: String]) {
        var tables: [String: String] = [:]
        var models: [String: String] = [:]
        for source in sources {
            let text = source.lines.joined(separator: "\n")
            for match in matches(#"(?:final class|struct|enum) (\w+)[^{]*\{[^}]*?static let schema = "(\w+)""#, in: text) {
                models[match[1]] = source.capability
                tables[match[2]] = source.capability
            }
            for match in matches(#"CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"#, in: text) { tables[match[1]] = source.capability }
            for match in matches(#"static let table = "(\w+)""#, in: text) { tables[match[1]] = source.capability }
        }
        return (tables, models)
    }

    @Test("Each table has one owner, the capability whose migrations create it")
    func tablesHaveOwners() throws {
        let (tables, _) = Self.owners(try Self.sources())
        let expected: [String: [String]] = [
            "Assistant": ["assistant_usage", "consent_records", "conversations", "nlu_examples", "unrecognized_phrases"],
            "Billing": ["agreement_items", "agreement_sequences", "certificates", "contracts", "deliveries", "enrollments", "invoices", "paper_bills", "payment_agreements", "payment_coupons", "payment_items", "payment_reminders", "payments", "prepaid_meters", "prepaid_pin_views", "prepaid_recharges", "sandbox_payment_transactions", "somos_cards", "somos_movements", "somos_restructurings", "whatsapp_holders"],
            "Cases": ["case_attachments", "case_events", "case_pending_files", "case_sequences", "cases"],
            "Channels": ["sandbox_messages", "sms_outbox", "verification_codes", "whatsapp_inbound", "whatsapp_message_statuses", "whatsapp_outbox", "whatsapp_senders"],
            "Damage": ["damage_reports", "damage_sequences"],
            "Insights": ["phone_calls", "survey_campaigns", "survey_invitations", "survey_responses"],
            "Knowledge": ["article_feedback", "article_versions", "articles"],
            "LiveChat": ["live_chat_messages", "live_chats"],
            "Offices": ["turn_kiosk_revocations", "turn_slots", "turns", "walk_in_counters"],
            "Outreach": ["promotion_campaigns", "promotion_messages"],
            "Platform": ["health_checks", "jobs", "platform_secrets", "rate_limits"],
            "Privacy": ["data_request_sequences", "data_requests"],
            "Staff": ["staff_accounts", "staff_audit", "staff_sessions"],
            "Transparency": ["transparency_evidence", "transparency_reports"],
        ]
        let found = Dictionary(grouping: tables.keys, by: { tables[$0]! }).mapValues { $0.sorted() }
        #expect(found == expected)
    }

    @Test("No capability names another's table in SQL, or queries another's models")
    func noCrossings() throws {
        let sources = try Self.sources()
        let (tables, models) = Self.owners(sources)
        var crossings: [String] = []
        for source in sources {
            for (number, line) in source.lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                for (model, owner) in models where owner != source.capability && line.contains(model + ".") {
                    if !Self.matches(#"\b\#(model)\.(schema|query\(|find\()"#, in: line).isEmpty {
                        crossings.append("\(source.path):\(number + 1) uses \(model) (\(owner))")
                    }
                }
                for (table, owner) in tables where owner != source.capability && line.contains(table) {
                    let sql = #"(?i)\b(FROM|JOIN|UPDATE|INTO|TABLE|ON)\s+"?\#(table)\b"#
                    let named = #"(from|into|schema|update|delete|on)\(\s*(from:\s*|into:\s*)?"\#(table)""#
                    if !Self.matches(sql, in: line).isEmpty || !Self.matches(named, in: line).isEmpty {
                        crossings.append("\(source.path):\(number + 1) names \(table) (\(owner))")
                    }
                }
            }
        }
        #expect(crossings == [])
    }

    @Test("The check finds a crossing when there is one")
    func checkFindsCrossings() throws {
        let (tables, models) = Self.owners(try Self.sources())
        #expect(tables["deliveries"] == "Billing" && models["Delivery"] == "Billing")
        let line = #"try await sql.raw("UPDATE deliveries SET status = 'sent'").run()"#
        #expect(!Self.matches(#"(?i)\b(FROM|JOIN|UPDATE|INTO|TABLE|ON)\s+"?deliveries\b"#, in: line).isEmpty)
        #expect(!Self.matches(#"\bDelivery\.(schema|query\(|find\()"#, in: "try await sql.update(Delivery.schema)").isEmpty)
    }
}
