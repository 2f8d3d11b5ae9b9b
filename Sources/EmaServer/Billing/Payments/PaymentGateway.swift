import EmaCore
import Fluent
import Foundation
import Vapor

/// What a gateway says about one of its transactions. Read from the gateway itself (its API,
/// or a notice whose signature was checked), never from parameters the browser brings back.
struct GatewayTransaction: Sendable, Equatable {
    let id: String
    let reference: String
    let amountInCents: Int64
    let currency: String
    let status: PaymentStatus
    let method: String?
}

/// A payment gateway: where to send the customer to pay, and how to ask it about a transaction.
protocol PaymentGateway: Sendable {
    /// `sandbox` or `wompi`: stored with each attempt.
    var name: String { get }
    /// The page the customer is sent to, to pay `amountCOP` for attempt `reference`; the
    /// gateway sends the customer back to `returnURL` when done.
    func checkoutURL(reference: String, amountCOP: Int64, returnURL: String) -> String
    /// The gateway's own record of a transaction, or nil when it does not know it.
    func transaction(id: String, client: any Client, database: any Database) async throws -> GatewayTransaction?
}

extension Application {
    private struct PaymentGatewayKey: StorageKey { typealias Value = any PaymentGateway }

    /// Wompi when its keys are configured; without them, the sandbox gateway inside the app in
    /// the demo (or with `EMA_SANDBOX=on`), and otherwise none: paying online is not available.
    var paymentGateway: (any PaymentGateway)? {
        get {
            if let gateway = storage[PaymentGatewayKey.self] { return gateway }
            let config = emaConfig
            if let wompi = config.wompi.credentials {
                return WompiGateway(apiURL: config.wompi.apiURL, checkoutURL: config.wompi.checkoutURL, credentials: wompi)
            }
            return sandboxEnabled ? SandboxGateway() : nil
        }
        set { storage[PaymentGatewayKey.self] = newValue }
    }
}
