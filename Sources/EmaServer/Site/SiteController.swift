import Vapor

/// The public home page: who the utility is, how to reach it, its offices.
struct SiteController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    struct OfficeGroup: Encodable {
        let municipality: String
        let offices: [UtilityProfile.Office]
    }

    struct HomePage: Encodable {
        let title: String
        let utility: UtilityProfile
        let officeGroups: [OfficeGroup]
        let officeCount: Int
    }

    @Sendable
    func home(request: Request) async throws -> View {
        guard let utility = request.application.utilityProfile else { throw Abort(.internalServerError) }
        let groups = Dictionary(grouping: utility.offices, by: \.municipality)
            .map { OfficeGroup(municipality: $0.key, offices: $0.value) }
            .sorted { $0.municipality.compare($1.municipality, locale: Locale(identifier: "es_CO")) == .orderedAscending }
        return try await request.view.render("home", HomePage(
            title: "\(utility.assistantName), tu asesora virtual · \(utility.shortName)",
            utility: utility, officeGroups: groups, officeCount: utility.offices.filter(\.open).count
        ))
    }
}
