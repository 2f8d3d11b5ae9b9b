import Foundation
import Vapor

extension Request {
    /// Refuses a form posted from another site: Fetch Metadata first, then the Origin, which
    /// must be this site's (the public URL's, or the host the request came to, since behind a
    /// proxy the scheme may differ). For every state-changing form, signed in or not.
    func refuseFormFromAnotherSite() throws {
        guard comesFromThisSite else { throw PlatformError.formFromAnotherSite }
    }

    /// False when the browser says the request comes from another site (`Sec-Fetch-Site:
    /// cross-site`, or an `Origin` that is not this site's). A request without either (not a
    /// browser, or an old one on a same-origin navigation) passes.
    var comesFromThisSite: Bool {
        if headers.first(name: "Sec-Fetch-Site") == "cross-site" { return false }
        guard let origin = headers.first(name: .origin), origin != "null" else { return true }
        let publicOrigin = URLComponents(string: application.emaConfig.publicURL).map { url in
            "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
        }
        let host = headers.first(name: .host) ?? "-"
        return origin == publicOrigin || origin.hasSuffix("://" + host)
    }
}
