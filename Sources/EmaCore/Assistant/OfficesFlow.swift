import Foundation

/// One office or self-service point, as the utility's data file lists it.
public struct OfficeEntry: Sendable, Equatable {
    public let name: String
    public let municipality: String
    public let address: String
    public let hours: String
    public let services: [String]
    public let selfService: Bool

    public init(name: String, municipality: String, address: String, hours: String, services: [String], selfService: Bool) {
        self.name = name
        self.municipality = municipality
        self.address = address
        self.hours = hours
        self.services = services
        self.selfService = selfService
    }
}

/// Where a municipality is, to find the offices nearest a shared location.
public struct MunicipalityPoint: Sendable, Equatable {
    public let name: String
    public let latitude: Double
    public let longitude: Double

    public init(name: String, latitude: Double, longitude: Double) {
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Great-circle distance in kilometres.
    public func kilometres(to point: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (point.latitude - latitude) * radians
        let dLon = (point.longitude - longitude) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(latitude * radians) * cos(point.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 6_371 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }
}

/// `oficinas`: the offices and self-service points of a municipality (named in the message,
/// picked from a list, or the nearest to a location shared on WhatsApp).
extension Turn {
    var officeMunicipalities: [String] {
        var counts: [String: Int] = [:]
        for office in knowledge.officeDirectory { counts[office.municipality, default: 0] += 1 }
        return counts.keys.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
    }

    mutating func beginOffices(text: String?) {
        guard !knowledge.officeDirectory.isEmpty else {
            say(information(.oficinas))
            return showMainMenu("¿Te ayudo con algo más?")
        }
        let typed = TextNormalizer.normalize(text ?? "")
        if !typed.isEmpty, let named = officeMunicipalities.first(where: { typed.contains(TextNormalizer.normalize($0)) }) {
            return showOffices(in: named, note: nil)
        }
        let hint = state.channel == .whatsapp ? " También puedes compartirme tu ubicación (📎 → Ubicación) y te digo las más cercanas." : ""
        state.step = .mainMenu
        let book = knowledge.officeDirectory.contains { $0.services.contains("Turnos") } ? [Choice("turno_pedir", "Pedir un turno")] : []
        ask("¿En qué municipio buscas una oficina o punto de atención?\(hint)", officeMunicipalities.prefix(10 - book.count).map { Choice("oficinas:\($0)", $0) } + book)
    }

    mutating func showOffices(in municipality: String, note: String?) {
        let offices = knowledge.officeDirectory.filter { $0.municipality == municipality }
        let lines = offices.map { office in
            "• \(office.name)\(office.selfService ? " (punto de autogestión)" : ""): \(office.address). \(office.hours)" + (office.services.isEmpty ? "" : "\n  Trámites: \(office.services.joined(separator: ", ")).")
        }
        say((note.map { $0 + "\n" } ?? "") + "Oficinas y puntos de atención en \(municipality):\n" + lines.joined(separator: "\n") + "\nTodas, con sus horarios, en \(knowledge.publicURL)/oficinas."
            + (offices.contains { $0.services.contains("Turnos") } ? "\nPara que te atiendan sin hacer fila, escríbeme «pedir turno»." : ""))
        showMainMenu("¿Te ayudo con algo más?")
    }

    /// The offices of the municipality nearest a shared location.
    mutating func showNearestOffices(_ point: GeoPoint) {
        let withOffices = Set(knowledge.officeDirectory.map(\.municipality))
        guard let nearest = knowledge.municipalityPoints.filter({ withOffices.contains($0.name) }).min(by: { $0.kilometres(to: point) < $1.kilometres(to: point) }) else {
            return beginOffices(text: nil)
        }
        let distance = nearest.kilometres(to: point)
        showOffices(in: nearest.name, note: distance < 1 ? nil : "El municipio con oficinas más cercano a tu ubicación es \(nearest.name) (a unos \(Int(distance.rounded())) km).")
    }
}
