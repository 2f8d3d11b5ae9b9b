import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The printing house's list of a period (`ema invoices paper-list`): every active contract
/// whose bill goes on paper, and why — paper is its usual channel (and, as the terms say,
/// enrolling on WhatsApp does not replace it), or its last WhatsApp delivery failed.
struct PaperList {
    let database: any Database
    var policy = PaperBillPolicy()

    static let header = "contract_number,holder_name,address,municipality,segment,period,reason,reason_code\n"
    /// Contracts read per query: the list of a large utility is most of its contracts.
    var pageSize = 5_000

    private struct Line: Decodable {
        let contract_number: String
        let holder_name: String
        let address: String
        let municipality: String
        let segment: String
        let bill_channels: String
        let enrolled: Int
        let failed_reason: String?
    }

    /// Writes the CSV a page at a time through `write`; returns how many contracts it lists.
    func write(period: BillingPeriod, _ write: (String) async throws -> Void) async throws -> Int {
        try await write(Self.header)
        var after = ""
        var listed = 0
        while true {
            let lines = try await database.sql.raw("""
                SELECT c.contract_number, c.holder_name, c.address, c.municipality, c.segment, c.bill_channels,
                       CASE WHEN EXISTS (SELECT 1 FROM enrollments e WHERE e.contract_id = c.id AND e.status = 'active') THEN 1 ELSE 0 END AS enrolled,
                       (SELECT p.reason FROM paper_bills p WHERE p.contract_id = c.id AND p.period = \(bind: period.description)) AS failed_reason
                FROM contracts c
                WHERE c.contract_number > \(bind: after) AND c.status = 'activo'
                  AND (c.bill_channels LIKE '%impresa%'
                       OR EXISTS (SELECT 1 FROM paper_bills p WHERE p.contract_id = c.id AND p.period = \(bind: period.description)))
                ORDER BY c.contract_number
                LIMIT \(unsafeRaw: String(pageSize))
                """).all(decoding: Line.self)
            var chunk = ""
            for line in lines {
                let reasons = policy.reasons(channels: BillChannel.decode(line.bill_channels), enrolled: line.enrolled == 1, failedDelivery: line.failed_reason != nil)
                guard !reasons.isEmpty else { continue }
                let titles = reasons.map { $0 == .failedDelivery ? line.failed_reason ?? $0.title : $0.title }
                chunk += CSVWriter.line([line.contract_number, line.holder_name, line.address, line.municipality, line.segment, period.description,
                                         titles.joined(separator: "; "), reasons.map(\.rawValue).joined(separator: ";")], terminator: "\n")
                listed += 1
            }
            if !chunk.isEmpty { try await write(chunk) }
            guard lines.count == pageSize, let last = lines.last else { return listed }
            after = last.contract_number
        }
    }

    /// The whole CSV in memory, and how many contracts it lists (a name or an address may hold
    /// a line break, so lines are not records): for tests and small lists.
    func csv(period: BillingPeriod) async throws -> (csv: String, contracts: Int) {
        var csv = ""
        let count = try await write(period: period) { csv += $0 }
        return (csv, count)
    }

    /// Why a contract's coming bill goes on paper (empty: it does not), for the operators' API.
    func reasons(_ contract: Contract) async throws -> [PaperBillPolicy.Reason] {
        guard contract.status == ContractStatus.activo.rawValue else { return [] }
        let enrolled = try await Enrollment.query(on: database).filter(\.$contract.$id == contract.requireID())
            .filter(\.$status == Enrollment.Status.active.rawValue).count() > 0
        return policy.reasons(channels: contract.billChannelList, enrolled: enrolled, failedDelivery: contract.paperInvoice)
    }
}

extension Application {
    func paperList() -> PaperList {
        PaperList(database: db, policy: utilityProfile?.paperBill ?? PaperBillPolicy())
    }
}
