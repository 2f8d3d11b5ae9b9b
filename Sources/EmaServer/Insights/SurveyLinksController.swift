import Vapor

/// Surveys answered through a link (`/encuesta/{token}`) and the periodic campaigns.
/// (Being built.)
struct SurveyLinksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
