import Foundation
import Vapor

extension Request {
    /// Refuses a form posted from another site: Fetch Metadata first, then the Origin, which
    /// must be this site's (the public URL's, or the host the request came to, since behind a
    /// proxy the scheme may differ). For every state-changing form, signed in or not.
    func refuseFormFromAnotherSite() throws {
        if headers.first(name: "Sec-Fetch-Site") == "cross-site" { throw PlatformError.formFromAnotherSite }
        guard let origin = headers.first(name: .origin), origin != "null" else { return }
        let publicOrigin = URLComponents(string: application.emaConfig.publicURL).map { url in
            "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
        }
        let host = headers.first(name: .host) ?? "-"
        guard origin == publicOrigin || origin.hasSuffix("://" + host) else { throw PlatformError.formFromAnotherSite }
    }
}
