import Crypto
import EmaCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The holder's rights over their personal data, for a number verified by SMS: each request
/// is done (or, for a correction Ema cannot make, queued for the staff) and filed as a
/// `DataRequest` with its legal terms.
struct DataRightsService {
    let database: any Database
    let clock: AppClock
    let publicURL: String
    /// The privacy policy in force: a revocation refuses it in the consent ledger.
    var privacy: LegalDocument?
    var calendar = ColombianCalendar()
    var maxContractsPerPhone = 4

    static let copyLifetime: TimeInterval = 7 * 86_400
    /// Ley 1581 arts. 14 and 15, in business days.
    static let consultaDays = 10
    static let reclamoDays = 15
    static let inProcessDays = 2

    /// Why a request was not filed (the holder is told instead).
    struct Refused: Error { let reason: String }

    func exercise(_ request: DataRightRequest) async throws -> DataRightReceipt {
        let now = clock.now()
        let billing = BillingHolderRecords()
        switch request.action {
        case .know:
            let token = SecureRandom.hex(16)
            let (row, _) = try await file(request, kind: "consulta", right: "conocer", keepPhone: true) { row, _ in
                row.copyTokenHash = Hex.sha256(token)
                row.copyExpiresAt = now.addingTimeInterval(Self.copyLifetime)
                return ("Te entregamos la copia de tus datos por un enlace válido 7 días.", ())
            }
            return DataRightReceipt(code: row.code, link: "\(publicURL)/datos-personales/copia/\(token)")
        case .rename(let name):
            let (row, contracts) = try await file(request, kind: "reclamo", right: "actualizar", keepPhone: true) { _, tx in
                ("Actualizamos el nombre del titular.", try await billing.rename(request.phone, to: name, at: now, on: tx))
            }
            return DataRightReceipt(code: row.code, contracts: contracts)
        case .renumber(let new):
            let limit = maxContractsPerPhone
            do {
                let (row, contracts) = try await file(request, kind: "reclamo", right: "actualizar", keepPhone: false) { _, tx in
                    switch try await billing.move(request.phone, to: new, limit: limit, at: now, on: tx) {
                    case .moved(let contracts): return ("Las inscripciones pasaron al \(Masking.phone(new)).", contracts)
                    case .tooMany(let there):
                        throw Refused(reason: "El \(ColombianMobile.display(new)) ya tiene \(there) contratos inscritos y el máximo por número es \(limit), así que no puedo pasar allí todos los tuyos. Elimina alguno de ese número y vuelve a intentarlo.")
                    }
                }
                return DataRightReceipt(code: row.code, contracts: contracts)
            } catch let refused as Refused {
                return DataRightReceipt(code: "", refusal: refused.reason)
            }
        case .correct(let detail):
            let (row, _) = try await file(request, kind: "reclamo", right: "rectificar", keepPhone: true, answered: false) { row, _ in
                row.detail = detail
                return (nil, ())
            }
            return DataRightReceipt(code: row.code, dueOn: CivilDate(row.dueOn))
        case .suppress:
            let holder = try await Holder.find(request.phone, on: database)
            let (row, _) = try await file(request, kind: "reclamo", right: "suprimir", keepPhone: false) { _, tx in
                for source in HolderRegistry.all {
                    _ = try await source.suppress(holder, keeping: request.conversationID, at: now, on: tx)
                }
                return ("Suprimimos los datos personales y anonimizamos los registros que la ley obliga a conservar.", ())
            }
            // On WhatsApp the farewell goes first; elsewhere what the channels still hold goes now.
            if request.channel != .whatsapp { try await ForgetNumberJob.enqueue(request.phone, on: JobQueue(database: database, clock: clock)) }
            return DataRightReceipt(code: row.code)
        case .revoke:
            let privacy = privacy
            let (row, contracts) = try await file(request, kind: "reclamo", right: "revocar", keepPhone: false) { _, tx in
                // The refusal, in the consent ledger, whatever the channel it came from.
                // The promotions go with it: no message of any kind after a revocation.
                if let privacy {
                    for kind in [ConsentEvidence.Kind.privacy, .promotions] {
                        try await ConsentRecord.record(ConsentEvidence(
                            kind: kind, granted: false, version: privacy.version, textHash: privacy.sha256, channel: request.channel,
                            conversationID: request.conversationID, phone: request.phone, at: now
                        ), on: tx)
                    }
                }
                let contracts = try await billing.end(request.phone, reason: "el titular revocó la autorización de tratamiento de datos", at: now, on: tx)
                try await AssistantHolderRecords().withdrawConsent(request.phone, keeping: request.conversationID, on: tx)
                return ("Revocamos la autorización; las inscripciones terminaron y la factura sigue por su canal habitual (impresa o por correo).", contracts)
            }
            return DataRightReceipt(code: row.code, contracts: contracts)
        }
    }

    /// Does what was asked and files it, numbered, in one transaction: `work` gives the answer
    /// (nil when the staff must answer it) and what the holder is told besides.
    func file<Result: Sendable>(
        _ request: DataRightRequest, kind: String, right: String, keepPhone: Bool, answered: Bool = true,
        _ work: @escaping @Sendable (DataRequest, any Database) async throws -> (answer: String?, result: Result)
    ) async throws -> (DataRequest, Result) {
        let now = clock.now()
        let today = clock.today
        let row = DataRequest()
        row.kind = kind
        row.right = right
        row.channel = request.channel.rawValue
        row.phone = keepPhone ? request.phone : nil
        row.phoneMasked = Masking.phone(request.phone)
        row.phoneKey = try await DataRequest.phoneKey(request.phone, on: database)
        row.receivedAt = now
        row.receivedOn = today.description
        row.dueOn = calendar.adding(businessDays: kind == "consulta" ? Self.consultaDays : Self.reclamoDays, to: today).description
        if kind == "reclamo", !answered {
            row.inProcessDueOn = calendar.adding(businessDays: Self.inProcessDays, to: today).description
        }
        row.status = .received
        let result = try await database.writeTransaction { tx in
            let (answer, result) = try await work(row, tx)
            if let answer {
                row.status = .answered
                row.answer = answer
                row.answeredAt = now
                row.answeredBy = "Ema"
            }
            let sequence = try await YearSequence.next(in: "data_request_sequences", year: today.year, on: tx)
            row.code = "HD-\(today.year)-" + String(format: "%07d", sequence)
            try await row.create(on: tx)
            return result
        }
        return (row, result)
    }

    /// The copy behind a link, while it works.
    func copy(token: String) async throws -> HolderCopy? {
        guard token.count >= 20, token.count <= 64,
              let row = try await DataRequest.query(on: database).filter(\.$copyTokenHash == Hex.sha256(token)).first(),
              let phone = row.phone, let expires = row.copyExpiresAt, expires > clock.now()
        else { return nil }
        let holder = try await Holder.find(phone, on: database)
        var sections: [HolderCopy.Section] = []
        for source in HolderRegistry.all {
            let entries = try await source.copy(of: holder, on: database)
            if !entries.isEmpty { sections.append(.init(title: source.title, entries: entries)) }
        }
        return HolderCopy(phone: phone, madeAt: clock.now(), sections: sections)
    }
}

extension Application {
    func dataRightsService(database: (any Database)? = nil) -> DataRightsService {
        DataRightsService(database: database ?? db, clock: clock, publicURL: emaConfig.publicURL, privacy: legalDocuments.privacy)
    }
}
