import Foundation

/// Who may look contracts up, and how often. A contract number alone shows only masked data,
/// but a stranger walking the numbers would still learn which exist, where and what they owe.
/// The limits count across conversations, sessions and channels (Factura Web, the web chat,
/// the kiosk, WhatsApp): per client (an address, or a WhatsApp number) 60 lookups every
/// 10 minutes, enough for a family or an office's kiosk; and per contract 120 an hour from
/// everyone together, which no household reaches and which stops a crowd of addresses reading
/// one contract over and over.
struct ContractLookups: Sendable {
    static let perClient = RateLimit("contratos.consulta.cliente", limit: 60, window: 600)
    static let perContract = RateLimit("contratos.consulta.contrato", limit: 120, window: 3_600)

    let limits: RateLimiter

    /// Counts one lookup of `contract` by `client`; nil when it may go, otherwise the seconds
    /// to wait. `byHolder`: the client is a WhatsApp number enrolled on that contract, which a
    /// crowd reading the contract must not lock out, so its lookups do not count per contract.
    func admit(client: String, contract: String, byHolder: Bool = false) async throws -> Int? {
        if let wait = try await limits.take(Self.perClient, client) { return wait }
        return byHolder ? nil : try await limits.take(Self.perContract, contract)
    }
}
