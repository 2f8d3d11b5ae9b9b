import Foundation

/// A request about a contract's billing that the self-service points take (seed 002): separate
/// bills for the services of one contract («separación de cuentas»), or a voluntary contribution
/// added to the next bill («aportes voluntarios», the National Government's solidarity
/// programme). Both are peticiones: filed as cases with the petición's term, answered by an
/// agent, who tells the billing system what to change.
public struct ServiceRequest: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case separacionCuentas = "separacion_cuentas"
        case aporteVoluntario = "aporte_voluntario"

        public var title: String {
            switch self {
            case .separacionCuentas: "Separación de cuentas"
            case .aporteVoluntario: "Aporte voluntario"
            }
        }
    }

    public enum Problem: Error, Sendable, Equatable {
        /// The contract has one service: there is nothing to separate.
        case singleService
        case servicesRequired
        case unknownService
        case amountUnreadable
        case amountOutOfRange(ClosedRange<Int64>)
        /// The utility takes no contributions (no `contributions` in its profile).
        case contributionsUnavailable

        /// What the customer reads.
        public var message: String {
            switch self {
            case .singleService: "Este contrato tiene un solo servicio, así que ya recibe una sola cuenta: no hay nada que separar."
            case .servicesRequired: "Elige al menos un servicio para recibirlo en una factura aparte."
            case .unknownService: "Elige solo servicios que tenga el contrato."
            case .amountUnreadable: "Escribe el valor en pesos, solo con números; por ejemplo 10000 o 10.000."
            case .amountOutOfRange(let range):
                "El aporte debe estar entre \(Money.format(cop: range.lowerBound)) y \(Money.format(cop: range.upperBound))."
            case .contributionsUnavailable: "Por ahora no recibimos aportes voluntarios por este medio."
            }
        }
    }

    public let kind: Kind
    /// For a separation, the services that get a bill of their own (the rest stay together).
    public let services: [UtilityService]
    /// For a contribution, the amount added to the next bill.
    public let amountCOP: Int64?

    /// A separation of `chosen` from the other services of a contract that has `contractServices`.
    /// Choosing all of them, or all but one, gives each service its own bill.
    public static func separation(_ chosen: [UtilityService], contractServices: [UtilityService]) throws(Problem) -> ServiceRequest {
        guard contractServices.count >= 2 else { throw .singleService }
        guard !chosen.isEmpty else { throw .servicesRequired }
        guard chosen.allSatisfy(contractServices.contains) else { throw .unknownService }
        let separated = chosen.count >= contractServices.count - 1 ? contractServices : contractServices.filter(chosen.contains)
        return ServiceRequest(kind: .separacionCuentas, services: separated, amountCOP: nil)
    }

    /// A contribution of `amount` pesos under `policy`.
    public static func contribution(_ amount: Int64?, policy: ContributionPolicy?) throws(Problem) -> ServiceRequest {
        guard let policy else { throw .contributionsUnavailable }
        guard let amount else { throw .amountUnreadable }
        guard policy.range.contains(amount) else { throw .amountOutOfRange(policy.range) }
        return ServiceRequest(kind: .aporteVoluntario, services: [], amountCOP: amount)
    }

    /// Whether every service of the contract gets its own bill.
    public func separatesAll(of contractServices: [UtilityService]) -> Bool {
        Set(services) == Set(contractServices)
    }

    /// What is asked, in a line: for the confirmation, the case and the agent's queue.
    public var summary: String {
        switch kind {
        case .separacionCuentas:
            "Factura aparte para: " + Self.list(services.map(\.displayName))
        case .aporteVoluntario:
            "Aporte de \(Money.format(cop: amountCOP ?? 0)) en la próxima factura"
        }
    }

    /// The case's text: what is asked of which contract, then the customer's own words if any.
    public func statement(contract: String, note: String?, purpose: String?) -> String {
        var text = switch kind {
        case .separacionCuentas:
            "Solicito la separación de cuentas del contrato \(contract): recibir \(services.count == 1 ? "el servicio" : "cada uno de los servicios") de \(Self.list(services.map { $0.displayName.lowercased() })) en una factura aparte."
        case .aporteVoluntario:
            "Solicito sumar a la próxima factura del contrato \(contract) un aporte voluntario de \(Money.format(cop: amountCOP ?? 0))"
                + (purpose.map { " (\($0))." } ?? ".")
        }
        if let note = note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty { text += "\n" + String(note.prefix(2_000)) }
        return text
    }

    /// «Energía», «Energía y Gas», «Energía, Agua y Gas».
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " y " + names.last!
    }
}

/// The utility's voluntary contributions (`contributions` in `Resources/utility.json`): the
/// amounts it takes and what they pay for, as the customer reads it.
public struct ContributionPolicy: Codable, Sendable, Equatable {
    public let minimumCOP: Int64
    public let maximumCOP: Int64
    /// «subsidios de los hogares de estratos 1, 2 y 3».
    public let purpose: String

    public init(minimumCOP: Int64, maximumCOP: Int64, purpose: String) {
        (self.minimumCOP, self.maximumCOP, self.purpose) = (minimumCOP, maximumCOP, purpose)
    }

    public var range: ClosedRange<Int64> { minimumCOP...max(minimumCOP, maximumCOP) }

    /// Why this policy cannot be used, or nil (checked at start-up).
    public var problem: String? {
        if minimumCOP < 1 || maximumCOP < minimumCOP { return "contributions: minimumCOP debe ser mayor que 0 y no mayor que maximumCOP" }
        if purpose.trimmingCharacters(in: .whitespaces).isEmpty { return "contributions.purpose no puede estar vacío" }
        return nil
    }
}
