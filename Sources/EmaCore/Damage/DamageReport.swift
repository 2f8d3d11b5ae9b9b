import Foundation

/// A point a customer shared (a WhatsApp location message).
public struct GeoPoint: Codable, Sendable, Equatable {
    public let latitude: Double
    public let longitude: Double
    public let label: String?

    public init?(latitude: Double, longitude: Double, label: String? = nil) {
        guard (-90...90).contains(latitude), (-180...180).contains(longitude), latitude.isFinite, longitude.isFinite else { return nil }
        self.latitude = latitude
        self.longitude = longitude
        self.label = label.map { String($0.prefix(200)) }
    }

    /// "6.24420, -75.58120", as a person or a map reads it.
    public var text: String { String(format: "%.5f, %.5f", latitude, longitude) }
}

/// What can be damaged, as the customer reports it.
public enum DamageService: String, CaseIterable, Codable, Sendable {
    case energia, agua, alcantarillado, gas, alumbrado

    public var title: String {
        switch self {
        case .energia: "Energía (sin luz, variaciones)"
        case .agua: "Agua (sin agua, fuga, baja presión)"
        case .alcantarillado: "Alcantarillado (rebose, tapa)"
        case .gas: "Gas natural"
        case .alumbrado: "Alumbrado público"
        }
    }
}

/// Danger first: a gas smell or a fallen cable gets the safety instruction and the 24-hour line
/// before any question (seed 001: "reporte de daños 7x24").
public enum DamageSafety {
    public enum Hazard: String, Sendable, Equatable { case gas, cable }

    /// The hazard a message speaks of, if any.
    public static func hazard(in text: String) -> Hazard? {
        let words = TextNormalizer.normalize(text)
        let gas = ["huele a gas", "olor a gas", "oler a gas", "olor de gas", "fuga de gas", "escape de gas", "se sale el gas", "se esta saliendo el gas", "huele mucho a gas", "olor fuerte a gas", "hay gas"]
        if gas.contains(where: { words.contains($0) }) { return .gas }
        let cable = ["cable caido", "cables caidos", "cable en el piso", "cable en el suelo", "cable suelto", "cables sueltos", "cable reventado", "poste caido", "cable chispeando", "chispas", "cable colgando", "cayo un cable", "se cayo el cable", "cable pelado", "transformador exploto", "corto circuito en la calle"]
        if cable.contains(where: { words.contains($0) }) { return .cable }
        return nil
    }

    public static func instruction(_ hazard: Hazard, line: String) -> String {
        switch hazard {
        case .gas:
            "⚠️ Por tu seguridad, ahora mismo: no enciendas ni apagues luces ni aparatos, no uses fósforos ni encendedores, abre puertas y ventanas, cierra la llave del gas si puedes hacerlo sin riesgo y sal del lugar. Desde afuera llama ya a la línea de daños 24 horas: \(line). Cuando estés a salvo, te ayudo a dejar el reporte."
        case .cable:
            "⚠️ Por tu seguridad, ahora mismo: aléjate al menos 10 metros del cable y no lo toques, ni con palos u objetos; mantén lejos a niños y mascotas; no pises charcos cercanos. Llama ya a la línea de daños 24 horas: \(line). Cuando estés a salvo, te ayudo a dejar el reporte."
        }
    }
}

/// A damage report as Ema gathers it.
public struct DamageFiling: Sendable, Equatable {
    public var service: DamageService
    public var address: String?
    public var location: GeoPoint?
    public var description: String
    public var phone: String?
    public var hazard: DamageSafety.Hazard?
    public var channel: Channel

    public init(service: DamageService, address: String?, location: GeoPoint?, description: String, phone: String?, hazard: DamageSafety.Hazard?, channel: Channel) {
        self.service = service
        self.address = address
        self.location = location
        self.description = description
        self.phone = phone
        self.hazard = hazard
        self.channel = channel
    }
}

/// Where a damage report stands with the crews: recibido → en_atencion → resuelto.
/// `rawValue` is what the `damage_reports` table stores (and the back office's form sends).
public enum DamageStatus: String, CaseIterable, Codable, Sendable {
    case received = "recibido"
    case inAttention = "en_atencion"
    case resolved = "resuelto"

    public var title: String {
        switch self {
        case .received: "Recibido"
        case .inAttention: "En atención"
        case .resolved: "Resuelto"
        }
    }
}
