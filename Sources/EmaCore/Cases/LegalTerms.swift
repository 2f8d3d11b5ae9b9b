/// The kinds of request a customer files (PQR) and the legal terms Ema enforces for each
/// (regulation-co.md, Part 1).
public enum CaseType: String, CaseIterable, Codable, Sendable {
    case peticion
    case queja
    case reclamo
    case recursoReposicion = "recurso_reposicion"
    /// Filed in subsidy of the reposición; the SSPD decides it.
    case recursoApelacion = "recurso_apelacion"
    case sugerencia
    case peticionDocumentos = "peticion_documentos"
    case consulta

    /// What the complaint index counts.
    public static let complaints: [CaseType] = [.queja, .reclamo]

    public var title: String {
        switch self {
        case .peticion: "Petición"
        case .queja: "Queja"
        case .reclamo: "Reclamo"
        case .recursoReposicion: "Recurso de reposición"
        case .recursoApelacion: "Recurso de apelación (en subsidio)"
        case .sugerencia: "Sugerencia"
        case .peticionDocumentos: "Petición de documentos o información"
        case .consulta: "Consulta"
        }
    }
}

/// A term in business days, the law it comes from, whether it may be extended (once, to at most
/// double, with notice before it ends) and whether missing it means "silencio administrativo
/// positivo".
public struct LegalTerm: Sendable, Equatable {
    public let businessDays: Int
    public let extensible: Bool
    public let positiveSilence: Bool
    public let law: String

    /// The term for a request. `serviceRelated`: about the service contract (Ley 142 applies);
    /// otherwise Ley 1755.
    public static func of(_ type: CaseType, serviceRelated: Bool) -> LegalTerm {
        switch type {
        case .peticion, .queja, .reclamo, .recursoReposicion, .recursoApelacion:
            serviceRelated
                ? LegalTerm(businessDays: 15, extensible: false, positiveSilence: true, law: "Ley 142 de 1994, art. 158")
                : LegalTerm(businessDays: 15, extensible: true, positiveSilence: false, law: "Ley 1755 de 2015, art. 14")
        case .sugerencia:
            // No legal term: answered within the general one, never a silencio positivo.
            LegalTerm(businessDays: 15, extensible: true, positiveSilence: false, law: "política de servicio (sin término legal)")
        case .peticionDocumentos:
            LegalTerm(businessDays: 10, extensible: true, positiveSilence: false, law: "Ley 1755 de 2015, art. 14 num. 1")
        case .consulta:
            LegalTerm(businessDays: 30, extensible: true, positiveSilence: false, law: "Ley 1755 de 2015, art. 14 num. 2")
        }
    }
}

/// Deadlines of one case on a calendar.
public struct CaseDeadlines: Sendable {
    public let calendar: ColombianCalendar

    public init(calendar: ColombianCalendar = ColombianCalendar()) {
        self.calendar = calendar
    }

    /// The last business day to answer a case filed on `filed` (counting from the next one).
    public func due(filed: CivilDate, term: LegalTerm) -> CivilDate {
        calendar.adding(businessDays: term.businessDays, to: filed)
    }

    /// The extended deadline (double the term), or nil when the term cannot be extended or the
    /// notice comes too late (it must be given before the term ends).
    public func extended(filed: CivilDate, term: LegalTerm, noticeOn: CivilDate) -> CivilDate? {
        guard term.extensible, !(due(filed: filed, term: term) < noticeOn) else { return nil }
        return calendar.adding(businessDays: term.businessDays * 2, to: filed)
    }

    /// Past its deadline and unanswered on `today`.
    public func isOverdue(due: CivilDate, today: CivilDate) -> Bool {
        due < today
    }

    /// The last day to file a recurso against a decision notified on `notified`: 5 business days.
    public func appealWindowEnd(notified: CivilDate) -> CivilDate {
        calendar.adding(businessDays: 5, to: notified)
    }

    /// A claim against a bill must come within 5 months of its issue date (a calendar term from
    /// the day after issue, rolled to the next business day when it ends on a day off).
    public func billClaimDeadline(issued: CivilDate) -> CivilDate {
        let start = issued.adding(days: 1)
        var month = start.month + 5
        var year = start.year
        if month > 12 { month -= 12; year += 1 }
        var end = CivilDate(year: year, month: month, day: min(start.day, CivilDate.daysIn(month: month, year: year)))!
        end = end.adding(days: -1)
        while !calendar.isBusinessDay(end) { end = end.adding(days: 1) }
        return end
    }
}
