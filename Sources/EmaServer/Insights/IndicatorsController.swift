import Vapor

/// The service indicators: the public statistics page, its CSV, and today's live figures in
/// the back office. (Being built.)
struct IndicatorsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
