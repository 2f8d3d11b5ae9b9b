import EmaCore
import Fluent
import Foundation
import Crypto
import SQLKit

/// A request as it arrives, from any channel, before it has a radicado.
struct CaseDraft: Sendable {
    struct File: Sendable {
        let filename: String
        let data: Data
    }

    var type: CaseType
    var channel: CaseChannel
    var description: String
    var causal: String?
    var service: String?
    var municipality: String?
    var contractNumber: String?
    var invoiceNumber: String?
    var anonymous = false
    var name: String?
    var idNumber: String?
    var phone: String?
    var email: String?
    var priority = false
    /// For a recurso: the radicado whose decision is contested.
    var parentRadicado: String?
    var files: [File] = []
    /// A page asks for the place: the municipality, unless a contract gives it.
    var requiresPlace = false
    /// Who recorded it: "cliente", or the agent's e-mail for back-office intake.
    var recordedBy = "cliente"
    /// A key the form or the client sends once per submission (16–64 characters): sending it
    /// again gives the same radicado and code instead of a second case.
    var submissionKey: String?
    /// A billing request (separación de cuentas, aporte voluntario): a petición about a contract.
    var request: ServiceRequest?
}

/// Filing, lookup, assignment, notes, extension, answer and survey of PQR cases. Every change
/// writes its event in the same transaction, so the history is complete.
struct CaseService {
    let database: any Database
    let clock: AppClock
    var calendar = ColombianCalendar()
    /// Municipalities a case may name (the utility's offices); empty accepts any.
    var municipalities: [String] = []
    /// Where suggestions go (`utility.json`).
    var suggestionAreas: [SuggestionArea] = []

    static let maxAttachments = CaseIntake.maxAttachments
    static let maxAttachmentBytes = 5 * 1_024 * 1_024
    /// Business days before the deadline when an open case is flagged.
    static let alertBusinessDays = 2

    var deadlines: CaseDeadlines { CaseDeadlines(calendar: calendar) }

    /// The same service over another database (a transaction).
    func on(_ other: any Database) -> CaseService {
        var service = CaseService(database: other, clock: clock, calendar: calendar)
        service.municipalities = municipalities
        return service
    }

    struct Filed: Sendable {
        let radicado: String
        let code: String
        let dueOn: CivilDate
        let caseID: UUID
        /// False when the submission key found an earlier filing.
        var isNew = true
    }

    // MARK: Filing

    func file(_ draft: CaseDraft) async throws -> Filed {
        try await file(draft) { _, _ in () }.filed
    }

    /// Files a case; for a new one, `notify` runs inside the filing's transaction (the notice it
    /// queues commits with the case). A repeated submission gets the earlier filing and no notice.
    func file<Notice: Sendable>(_ draft: CaseDraft, notifying notify: @escaping @Sendable (Filed, any Database) async throws -> Notice)
        async throws -> (filed: Filed, notice: Notice?) {
        let key = Self.submissionKey(draft.submissionKey)
        if let key, let earlier = try await PQRCase.query(on: database).filter(\.$submissionKey == key).first() {
            return (try await refiled(earlier, key: key), nil)
        }
        do {
            return try await fileNew(draft, key: key, notify: notify)
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // The same key at the same instant (a double click): the other request won.
            guard let key, let earlier = try await PQRCase.query(on: database).filter(\.$submissionKey == key).first() else { throw error }
            return (try await refiled(earlier, key: key), nil)
        }
    }

    /// A form's submission key, when it is one: 16 to 64 letters, digits or «-».
    static func submissionKey(_ typed: String?) -> String? {
        typed.flatMap { (16...64).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? $0 : nil }
    }

    private func refiled(_ row: PQRCase, key: String) async throws -> Filed {
        let code = try await Self.code(forKey: key, database: database)
        guard let due = CivilDate(row.dueOn) else { throw CaseError.caseNotFound }
        return Filed(radicado: row.radicado, code: code, dueOn: due, caseID: try row.requireID(), isNew: false)
    }

    private func fileNew<Notice: Sendable>(_ draft: CaseDraft, key: String?, notify: @escaping @Sendable (Filed, any Database) async throws -> Notice)
        async throws -> (filed: Filed, notice: Notice?) {
        let now = clock.now()
        let today = CivilDate(bogotaAt: now.timeIntervalSince1970)
        let intake: CaseIntake
        do {
            intake = try CaseIntake(.init(
                type: draft.type, description: draft.description, anonymous: draft.anonymous, name: draft.name, phone: draft.phone, email: draft.email,
                causal: draft.causal, service: draft.service, municipality: draft.municipality, contractNumber: draft.contractNumber,
                attachments: draft.files.count, requiresPlace: draft.requiresPlace
            ), municipalities: municipalities)
        } catch {
            throw CaseError(error)
        }

        // The contract, when given, classifies the case: municipality, segment, service.
        var contract: Contract?
        if let typed = intake.contractNumber {
            guard let number = ContractNumber.parse(typed),
                  let found = try await ContractDirectory(database: database).contract(number: number)
            else { throw CaseError.contractNotFound }
            contract = found
        }
        if let request = draft.request {
            // A billing request is a petición about one contract, checked against what it has.
            guard draft.type == .peticion, let contract else { throw CaseError.contractRequired }
            if request.kind == .separacionCuentas {
                do { _ = try ServiceRequest.separation(request.services, contractServices: contract.serviceList) } catch { throw CaseError.serviceRequest(error) }
            }
        }
        var invoice: Invoice?
        if let typed = draft.invoiceNumber?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
            guard let contract, let found = try await ContractDirectory(database: database).invoice(number: typed, of: contract)
            else { throw CaseError.invoiceNotFound }
            if draft.type == .reclamo, let issued = CivilDate(found.issueDate) {
                let limit = deadlines.billClaimDeadline(issued: issued)
                if limit < today { throw CaseError.claimExtemporaneous(deadline: limit.displayName) }
            }
            invoice = found
        }
        var parent: PQRCase?
        if draft.type.isRecurso {
            guard let typed = draft.parentRadicado, let radicado = Radicado.parse(typed) else { throw CaseError.parentRequired }
            guard let found = try await PQRCase.query(on: database).filter(\.$radicado == radicado.text).first(),
                  found.contractNumber == contract?.contractNumber,
                  found.decisionValue?.appealable == true, let until = found.appealUntil.flatMap({ CivilDate($0) })
            else { throw CaseError.appealNotAllowed }
            guard !(until < today) else { throw CaseError.appealWindowClosed(until: until.nameWithWeekday) }
            parent = found
        }
        let files = try draft.files.map(Self.checkedFile)

        let serviceRelated = CaseIntake.serviceRelated(draft.type, hasContract: contract != nil, causal: draft.causal)
        let term = LegalTerm.of(draft.type, serviceRelated: serviceRelated)
        let due = deadlines.due(filed: today, term: term)
        let code = if let key { try await Self.code(forKey: key, database: database) } else { SecureRandom.readable(CaseAccessCode.length) }
        let services = contract?.serviceList ?? []
        let row = PQRCase()
        row.id = UUID()
        row.type = draft.type.rawValue
        row.causal = draft.causal ?? CaseCatalog.unclassified
        row.service = draft.service ?? (services.count == 1 ? services[0].rawValue : nil)
        row.municipality = contract?.municipality ?? intake.municipality
        row.segment = contract?.segment
        row.contractNumber = contract?.contractNumber
        row.invoiceNumber = invoice?.invoiceNumber
        row.channel = draft.channel.rawValue
        row.anonymous = draft.anonymous
        row.name = draft.anonymous ? nil : intake.name
        row.idNumber = draft.anonymous ? nil : draft.idNumber.map { String($0.filter(\.isNumber).prefix(15)) }.flatMap { $0.isEmpty ? nil : $0 }
        row.phone = intake.phone
        row.email = intake.email
        row.description = intake.description
        row.priority = draft.priority
        row.serviceRelated = serviceRelated
        row.status = CaseStatus.radicado.rawValue
        row.filedAt = now
        row.filedOn = today.description
        row.dueOn = due.description
        row.parentID = parent?.id
        row.positiveSilence = false
        row.submissionKey = key
        row.requestKind = draft.request?.kind.rawValue
        row.requestDetail = draft.request?.summary
        row.requestAmountCOP = draft.request?.amountCOP
        let area = draft.type == .sugerencia ? SuggestionArea.route(intake.description, among: suggestionAreas) : nil
        row.area = area?.id

        let caseID = row.id!
        let (type, channel, recordedBy, parentRadicado) = (draft.type, draft.channel, draft.recordedBy, parent?.radicado)
        return try await database.writeTransaction { tx -> (filed: Filed, notice: Notice?) in
            let sequence = try await YearSequence.next(in: "case_sequences", year: today.year, on: tx)
            let radicado = Radicado(year: today.year, sequence: sequence).text
            row.year = today.year
            row.sequence = sequence
            row.radicado = radicado
            row.codeHash = Self.codeHash(radicado: radicado, code: code)
            try await row.create(on: tx)
            var detail = "Se radicó \(type.withArticle) por \(channel.title). Vence el \(due.nameWithWeekday) (\(term.businessDays) días hábiles, \(term.law))."
            if let parentRadicado { detail += " Recurso contra la decisión del radicado \(parentRadicado)." }
            try await CaseEvent(caseID: caseID, at: now, actor: recordedBy, kind: "radicado", detail: detail, isPublic: true).create(on: tx)
            if let area {
                try await CaseEvent(caseID: caseID, at: now, actor: "sistema", kind: "remitida", detail: Self.routedDetail(area), isPublic: true).create(on: tx)
            }
            for file in files {
                let attachment = CaseAttachment()
                attachment.caseID = caseID
                attachment.filename = file.filename
                attachment.contentType = file.contentType
                attachment.size = file.data.count
                attachment.sha256 = Hex.sha256(file.data)
                attachment.data = file.data
                attachment.createdAt = now
                try await attachment.create(on: tx)
            }
            let filed = Filed(radicado: radicado, code: code, dueOn: due, caseID: caseID)
            return (filed, try await notify(filed, tx))
        }
    }

    /// The code of a keyed submission: derived from the key with a server secret, so a repeated
    /// submission can show it again without the code ever being stored.
    static func code(forKey key: String, database: any Database) async throws -> String {
        let secret = try await PlatformSecret.value(named: "case_codes", database: database)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(key.utf8), using: SymmetricKey(data: secret))
        return Array(mac).prefix(CaseAccessCode.length).map { String(CaseAccessCode.alphabet[Int($0) % CaseAccessCode.alphabet.count]) }.joined()
    }

    static func codeHash(radicado: String, code: String) -> String {
        Hex.sha256("ema-radicado:\(radicado):\(code)")
    }

    struct CheckedFile {
        let filename: String
        let contentType: String
        let data: Data
    }

    /// PDF, JPEG or PNG by their first bytes (not by the name), at most 5 MB.
    static func checkedFile(_ file: CaseDraft.File) throws -> CheckedFile {
        let name = String(file.filename.split(separator: "/").last?.split(separator: "\\").last ?? "archivo").prefix(120).description
        guard file.data.count <= maxAttachmentBytes else { throw CaseError.attachmentTooLarge(name: name) }
        let head = [UInt8](file.data.prefix(8))
        let type: String
        if head.starts(with: Array("%PDF-".utf8)) { type = "application/pdf" }
        else if head.starts(with: [0xFF, 0xD8, 0xFF]) { type = "image/jpeg" }
        else if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { type = "image/png" }
        else { throw CaseError.attachmentType(name: name) }
        return CheckedFile(filename: name, contentType: type, data: file.data)
    }

    // MARK: Public lookup

    /// The case with this radicado (for the staff and the engine; the public lookup needs its code).
    func find(radicado: String) async throws -> PQRCase? {
        try await PQRCase.query(on: database).filter(\.$radicado == radicado).first()
    }

    func find(id: UUID) async throws -> PQRCase? {
        try await PQRCase.find(id, on: database)
    }

    /// The case with this radicado and access code, or nil. A wrong code and an unknown radicado
    /// take the same path (one indexed query, one hash, one constant-time comparison) and give
    /// the same nil.
    func lookup(radicado typed: String, code typedCode: String) async throws -> PQRCase? {
        let radicado = Radicado.parse(typed)?.text ?? "0000-0000000"
        let code = CaseAccessCode.normalize(typedCode) ?? "------"
        let found = try await PQRCase.query(on: database).filter(\.$radicado == radicado).first()
        let given = Self.codeHash(radicado: radicado, code: code)
        let expected = found?.codeHash ?? Self.codeHash(radicado: radicado, code: "decoy-\(radicado)")
        let matches = ConstantTime.equals(Array(given.utf8), Array(expected.utf8))
        return matches && found != nil ? found : nil
    }

    func events(of caseID: UUID, publicOnly: Bool) async throws -> [CaseEvent] {
        var query = CaseEvent.query(on: database).filter(\.$caseID == caseID)
        if publicOnly { query = query.filter(\.$isPublic == true) }
        return try await query.sort(\.$at).all()
    }
}


/// Every hour: deadline alerts and the "silencio administrativo positivo" flag.
enum CaseAlertsJob {
    static let kind = "cases.alerts"

    @Sendable static func run(_ context: JobContext, _ payload: String) async throws {
        let run = try await context.application.caseService(database: context.database).raiseAlerts()
        if run.dueSoon + run.positiveSilence > 0 {
            context.logger.info("Alertas de PQR", metadata: ["por_vencer": .stringConvertible(run.dueSoon), "silencio_positivo": .stringConvertible(run.positiveSilence)])
        }
    }
}
